//! Simego Data Sync's OData 4.0 connector: its properties as a text to keep beside the project,
//! exactly the values step 6 shows ([`crate::connector::connector_values`]).

use super::Source;
use crate::connector::ConnectorValue;

/// One `Name: value` line per property, the OAuth2 group indented under its heading.
pub(crate) fn connector_values_text(src: &Source) -> String {
    let mut out = String::new();
    let mut in_oauth2 = false;
    for (field, value) in src.values.iter() {
        if field.is_oauth2() && !in_oauth2 {
            out.push_str("OAuth2\n");
            in_oauth2 = true;
        }
        let shown = match value {
            ConnectorValue::Value(v) => v.clone(),
            ConnectorValue::Secret(_) => src.secret_or_placeholder().to_string(),
            ConnectorValue::Blank { why } => format!("({why})"),
            ConnectorValue::Missing { because, .. } => format!("(missing: {because})"),
        };
        let indent = if in_oauth2 { "  " } else { "" };
        out.push_str(&format!("{indent}{}: {shown}\n", field.name()));
    }
    out
}
