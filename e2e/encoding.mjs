// Content negotiation for precompressed files (scripts/precompress.mjs writes `<file>.br` and
// `<file>.gz` next to each asset), as a static host does it: brotli when the request accepts it,
// else gzip, else the file itself. Shared by serve-dist.mjs and bench.mjs.
import { existsSync } from "node:fs";

/** The file to send and its Content-Encoding (null: the file as it is). */
export function precompressed(file, acceptEncoding = "") {
  const accepts = (enc) => new RegExp(`(^|[\\s,])${enc}(?!;q=0(\\.0*)?(\\s|,|$))`).test(acceptEncoding);
  if (accepts("br") && existsSync(`${file}.br`)) return { file: `${file}.br`, encoding: "br" };
  if (accepts("gzip") && existsSync(`${file}.gz`)) return { file: `${file}.gz`, encoding: "gzip" };
  return { file, encoding: null };
}
