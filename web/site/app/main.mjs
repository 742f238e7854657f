// The app shell: configuration, sign-in state, navigation and the hash router.
import { initAll } from '/govuk/govuk-frontend.min.js';
import { createApi } from './api.mjs';
import { completeCognitoSignIn, currentSession, signOut } from './auth.mjs';
import { discardDraftsOf, discardUnownedDrafts } from './drafts.mjs';
import { html, render } from './view.mjs';
import { signInScreen } from './screens/sign-in.mjs';
import { caseloadScreen, dueToEndScreen, queueScreen } from './screens/lists.mjs';
import { caseScreen } from './screens/case.mjs';
import { contactScreen } from './screens/contact.mjs';
import { assessmentScreen } from './screens/assessment.mjs';
import { allocationScreen } from './screens/allocation.mjs';
import { appointmentsScreen, arrangeScreen, outcomeScreen } from './screens/appointments.mjs';
import { requirementTerminationScreen, terminationConfirmScreen, terminationScreen } from './screens/endings.mjs';
import { transferScreen } from './screens/transfers.mjs';
import { planScreen, planVersionScreen } from './screens/sentence-plan.mjs';
import {
  agreementConfirmScreen, agreementScreen, countersignScreen, goalScreen, goalStatusScreen, reviewScreen, stepScreen,
  stepStatusScreen,
} from './screens/sentence-plan-forms.mjs';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');

const CRN = '([A-Z][0-9]{6})';
const ID = '([0-9a-f]{32})';
const PLAN = `/cases/${CRN}/sentence-plans/${ID}`;
const ROUTES = [
  [/^\/sign-in$/, signInScreen, { public: true }],
  [/^\/caseload$/, caseloadScreen],
  [/^\/appointments$/, appointmentsScreen],
  [/^\/queue(?:\/([A-Z0-9]+))?$/, queueScreen],
  [/^\/due-to-end(?:\/([A-Z0-9]+))?$/, dueToEndScreen],
  [new RegExp(`^/cases/${CRN}$`), caseScreen],
  [new RegExp(`^/cases/${CRN}/contact$`), contactScreen],
  [new RegExp(`^/cases/${CRN}/assessment$`), assessmentScreen],
  [new RegExp(`^/cases/${CRN}/allocation$`), allocationScreen],
  [new RegExp(`^/cases/${CRN}/appointments/new$`), arrangeScreen],
  [new RegExp(`^/cases/${CRN}/appointments/([0-9a-f]{32})/outcome$`), outcomeScreen],
  [new RegExp(`^/cases/${CRN}/convictions/([0-9]{1,4})/termination$`), terminationScreen],
  [new RegExp(`^/cases/${CRN}/convictions/([0-9]{1,4})/termination/confirm$`), terminationConfirmScreen],
  [new RegExp(`^/cases/${CRN}/requirements/([0-9]{1,4}-[0-9]{1,3})/termination$`), requirementTerminationScreen],
  [new RegExp(`^/cases/${CRN}/transfer$`), transferScreen],
  [new RegExp(`^${PLAN}$`), planScreen],
  [new RegExp(`^${PLAN}/versions/([0-9]{1,4})$`), planVersionScreen],
  [new RegExp(`^${PLAN}/goals/new$`), goalScreen],
  [new RegExp(`^${PLAN}/goals/${ID}/status$`), goalStatusScreen],
  [new RegExp(`^${PLAN}/goals/${ID}/steps/new$`), stepScreen],
  [new RegExp(`^${PLAN}/goals/${ID}/steps/${ID}/status$`), stepStatusScreen],
  [new RegExp(`^${PLAN}/agreement$`), agreementScreen],
  [new RegExp(`^${PLAN}/agreement/confirm$`), agreementConfirmScreen],
  [new RegExp(`^${PLAN}/countersignature$`), countersignScreen],
  [new RegExp(`^${PLAN}/review$`), reviewScreen],
];
const FLASH = 'probation.flash';
// The list a case was opened from (a team's queue, the caseload), for the case's Back link.
const LAST_LIST = 'probation.last-list';
const LOADING_DELAY_MS = 200;
const LISTS = /^\/(caseload|appointments|(queue|due-to-end)(\/[A-Z0-9]+)?)$/;

const main = document.getElementById('main-content');
const beforeContent = document.getElementById('before-content');
const config = await (await fetch('/config.json')).json();
const api = createApi(config.apiBaseUrl, () => currentSession()?.token, () => {
  signOut({ auth: { mode: 'local' } });
  // A screen left behind can still be waiting on the API when the session ends: its refusal must not redraw
  // the sign-in form under someone already typing in it.
  if (currentPath() !== '/sign-in') navigate('/sign-in');
});

function currentPath() {
  return window.location.hash.replace(/^#/, '') || '/';
}

function navigate(path) {
  if (window.location.hash === `#${path}`) route();
  else window.location.hash = `#${path}`;
}

// A message for the next screen (e.g. "Contact recorded"), shown once.
function flash(message) {
  sessionStorage.setItem(FLASH, JSON.stringify(message));
}

function takeFlash() {
  const message = JSON.parse(sessionStorage.getItem(FLASH) ?? 'null');
  sessionStorage.removeItem(FLASH);
  return message;
}

// A practitioner's day starts with their appointments; a manager's with the team's queue.
function homePath(session) {
  return session.roles.includes('manager') ? '/queue' : '/appointments';
}

function showNavigation(session) {
  document.getElementById('service-menu').hidden = !session;
  if (!session) return;
  const manager = session.roles.includes('manager');
  const show = { appointments: !manager, caseload: !manager, queue: manager };
  for (const item of document.querySelectorAll('[data-nav]')) {
    if (item.dataset.nav in show) item.hidden = !show[item.dataset.nav];
    const link = item.querySelector('a');
    const current = window.location.hash.startsWith(link.getAttribute('href'));
    item.classList.toggle('govuk-service-navigation__item--active', current);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

// Each navigation gets its own containers in the page. A screen still waiting for the API when the user
// has moved on renders into containers no longer in the page, so it can never replace the newer screen
// (nor its title) under the user's hands.
let latestRoute = 0;

async function route() {
  const routeId = ++latestRoute;
  const isCurrent = () => routeId === latestRoute;
  const path = currentPath();
  const session = currentSession();
  if (path === '/sign-out') {
    if (session) discardDraftsOf(session);
    sessionStorage.removeItem(LAST_LIST);
    signOut(config);
    navigate('/sign-in');
    return;
  }
  if (path === '/') {
    navigate(session ? homePath(session) : '/sign-in');
    return;
  }
  const match = ROUTES.map(([pattern, screen, options]) => [path.match(pattern), screen, options ?? {}])
    .find(([found]) => found);
  showNavigation(session);
  render(beforeContent, '');
  if (!match) {
    render(main, html`<h1 class="govuk-heading-l">Page not found</h1>
      <p class="govuk-body">There is no page at this address. <a class="govuk-link" href="#/">Go to your cases</a>.</p>`);
    document.title = 'Page not found – Manage a probation case';
    return;
  }
  const [found, screen, options] = match;
  if (!options.public && !session) {
    navigate('/sign-in');
    return;
  }
  if (LISTS.test(path)) sessionStorage.setItem(LAST_LIST, path);
  const screenMain = document.createElement('div');
  const screenBeforeContent = document.createElement('div');
  main.replaceChildren(screenMain);
  beforeContent.replaceChildren(screenBeforeContent);
  const context = {
    api, config, session, main: screenMain, beforeContent: screenBeforeContent, navigate, flash, takeFlash,
    home: () => navigate(homePath(currentSession())),
    listPath: () => sessionStorage.getItem(LAST_LIST) ?? homePath(session),
    title: (text) => { if (isCurrent()) document.title = `${text} – Manage a probation case`; },
    ready: () => initAll({ scope: screenMain }),
  };
  // A screen still waiting for the API after a moment says so, rather than leaving the page blank.
  const loading = setTimeout(() => {
    if (!screenMain.childElementCount) {
      render(screenMain, html`<p class="govuk-body app-loading" role="status">Loading…</p>`);
    }
  }, LOADING_DELAY_MS);
  try {
    await screen(context, ...found.slice(1));
  } catch (error) {
    render(screenMain, html`<h1 class="govuk-heading-l">Sorry, there is a problem</h1>
      <p class="govuk-body">${error.message}</p>
      <p class="govuk-body"><a class="govuk-link" href="#/">Go to your cases</a></p>`);
    context.title('Sorry, there is a problem');
  }
  clearTimeout(loading);
  if (isCurrent()) main.focus({ preventScroll: true });
}

initAll({ scope: document.querySelector('.govuk-template__header') });
discardUnownedDrafts();
try {
  const signedIn = config.auth.mode === 'cognito' ? await completeCognitoSignIn(config) : null;
  if (signedIn) window.location.hash = `#${homePath(signedIn)}`;
} catch (error) {
  flash({ error: error.message });
}
window.addEventListener('hashchange', route);
route();
