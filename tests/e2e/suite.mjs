// The end-to-end suite in one process: one static server and one Chromium (helpers.mjs's
// before/after hooks, registered once) for every test, instead of one per file. The test command
// runs `node --test tests/e2e/suite.mjs`; one file alone runs with `node --test tests/e2e/NAME.test.mjs`.
// The order puts the quick tests first, so a broken page fails in the first minutes.
import './playground.test.mjs';
import './first-minute.test.mjs';
import './settings.test.mjs';
import './labs.test.mjs';
import './learn.test.mjs';
import './fact-files.test.mjs';
import './model.test.mjs';
import './session.test.mjs';
import './hosting.test.mjs';
import './long-session.test.mjs';
import './failsafe.test.mjs';
