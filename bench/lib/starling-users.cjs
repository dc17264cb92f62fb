// Bulk account creation for the bench: opens Starling's storage through core (the same code path as
// `starling user add`) and creates user1..userN (password passI) in one process, several PBKDF2
// derivations in flight at once. Usage: node starling-users.cjs HOME N
const { resolve } = require('node:path');

const core = resolve(__dirname, '../../core/dist/src');
const { openHome } = require(`${core}/kernel/server`);
const { CredentialService } = require(`${core}/auth/credential-service`);

async function main() {
  const [home, nArg] = process.argv.slice(2);
  const n = Number(nArg);
  const { settings, storage } = await openHome({ home, logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } });
  try {
    const have = await storage.users.count('localhost');
    const creds = new CredentialService(storage.users, settings.scramIterations);
    let next = 1;
    let created = 0;
    const run = async () => {
      while (next <= n) {
        const i = next++;
        if (i <= have && (await storage.users.exists(`user${i}@localhost`))) continue;
        if (await creds.createUser(`user${i}@localhost`, `pass${i}`)) created++;
      }
    };
    await Promise.all(Array.from({ length: 8 }, run));
    process.stdout.write(`${created} created, ${await storage.users.count('localhost')} accounts\n`);
  } finally {
    await storage.close();
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
