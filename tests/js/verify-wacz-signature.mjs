// wabac.js's own verifyWACZSignature (bundled unmodified by scripts/install-wabac.sh), run on
// the signedData of a datapackage-digest.json; prints wabac's results as JSON.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, digestFile] = process.argv.slice(2);
const { verifyWACZSignature } = await import(pathToFileURL(bundle).href);
const digest = JSON.parse(readFileSync(digestFile, "utf8"));
console.log(JSON.stringify(await verifyWACZSignature(digest.signedData)));
