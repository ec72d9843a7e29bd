// Entry of `npm run mutation` (stryker.config.mjs): every node test of src/shared in one process,
// so each mutant costs one tsx start rather than one per file. The command sets FC_MAX_RUNS to cap
// the property tests (test/helpers/runs.ts); the full runs stay in `npm run test:node`.
import '../node/shared-bytedesk-url.test.ts';
import '../node/shared-card-spec.test.ts';
import '../node/shared-cards-zod.test.ts';
import '../node/shared-chat-url.test.ts';
import '../node/shared-format.test.ts';
import '../node/shared-rules.test.ts';
