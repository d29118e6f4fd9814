// Schema check of deploy/k8s/*.yaml with the npm package kubernetes-models (its bundled Kubernetes
// OpenAPI schemas, through ajv). scripts/check-deploy copies this next to its node_modules and runs it.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
const dir = process.argv[2];
const groups = {};
let bad = 0, n = 0;
for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort()) {
  for (const doc of yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8'))) {
    if (!doc) continue;
    n++;
    const mod = await import('kubernetes-models/' + doc.apiVersion);
    const Cls = mod[doc.kind];
    if (!Cls) { console.error(`${f}: unknown kind ${doc.apiVersion} ${doc.kind}`); bad++; continue; }
    try { new Cls(doc).validate(); } catch (e) { console.error(`${f}: ${doc.kind}/${doc.metadata?.name}: ${e.message}`); bad++; }
  }
}
console.log(`kubernetes-models: ${n} objects, ${bad} invalid`);
process.exit(bad ? 1 : 0);
