// Sign in. Locally: choose a demo identity (or any staff code) and the runner issues a token.
// In AWS: Cognito's hosted UI.
import { beginCognitoSignIn, signInLocally } from '../auth.mjs';
import { problemItems, showErrors } from '../forms.mjs';
import { html, render } from '../view.mjs';

export async function signInScreen(context) {
  const { config, main } = context;
  context.title('Sign in');
  const notice = context.takeFlash();
  if (config.auth.mode === 'cognito') {
    render(main, html`
      <div id="errors"></div>
      <h1 class="govuk-heading-l">Sign in</h1>
      <p class="govuk-body">Sign in with your probation staff account.</p>
      <button type="button" class="govuk-button" data-module="govuk-button" id="sign-in">Sign in</button>`);
    context.ready();
    if (notice?.error) showErrors(main, [{ text: notice.error }]);
    main.querySelector('#sign-in').addEventListener('click', () => beginCognitoSignIn(config));
    return;
  }
  const identities = config.auth.identities ?? [];
  render(main, html`
    <div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
      <div id="errors"></div>
      <form id="sign-in-form" novalidate>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset" aria-describedby="identity-hint">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--l">
              <h1 class="govuk-fieldset__heading">Sign in as</h1>
            </legend>
            <div id="identity-hint" class="govuk-hint">This is the local service: choose one of the demonstration staff.</div>
            <div class="govuk-radios" data-module="govuk-radios">
              ${identities.map((identity, index) => html`
                <div class="govuk-radios__item">
                  <input class="govuk-radios__input" id="${index ? `identity-${index}` : 'identity'}" name="identity"
                         type="radio" value="${index}" aria-describedby="identity-${index}-hint">
                  <label class="govuk-label govuk-radios__label" for="${index ? `identity-${index}` : 'identity'}">${identity.name}</label>
                  <div id="identity-${index}-hint" class="govuk-hint govuk-radios__hint">${identity.description} · ${identity.sub}</div>
                </div>`)}
            </div>
          </fieldset>
        </div>
        <button type="submit" class="govuk-button" data-module="govuk-button">Sign in</button>
      </form>
      <h2 class="govuk-heading-m">Another member of staff</h2>
      <form id="staff-code-form" novalidate>
        <div class="govuk-form-group">
          <label class="govuk-label" for="staff-code">Staff code</label>
          <input class="govuk-input govuk-input--width-10" id="staff-code" name="staffCode" type="text" spellcheck="false" autocomplete="off">
        </div>
        <div class="govuk-form-group">
          <fieldset class="govuk-fieldset">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Role</legend>
            <div class="govuk-radios govuk-radios--small" data-module="govuk-radios">
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="role" name="role" type="radio" value="practitioner" checked>
                <label class="govuk-label govuk-radios__label" for="role">Practitioner</label>
              </div>
              <div class="govuk-radios__item">
                <input class="govuk-radios__input" id="role-manager" name="role" type="radio" value="manager">
                <label class="govuk-label govuk-radios__label" for="role-manager">Manager</label>
              </div>
            </div>
          </fieldset>
        </div>
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">Sign in with this staff code</button>
      </form>
    </div></div>`);
  context.ready();
  const signIn = async (identity, fields) => {
    try {
      await signInLocally(config, identity);
      context.home();
    } catch (error) {
      showErrors(main, problemItems(error, fields));
    }
  };
  main.querySelector('#sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const choice = new FormData(event.target).get('identity');
    if (choice === null) {
      showErrors(main, [{ text: 'Choose who to sign in as', href: '#identity', id: 'identity', message: 'Choose who to sign in as' }]);
      return;
    }
    signIn(identities[Number(choice)]);
  });
  main.querySelector('#staff-code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const sub = String(form.get('staffCode')).trim();
    if (!sub) {
      showErrors(main, [{ text: 'Enter a staff code', href: '#staff-code', id: 'staff-code', message: 'Enter a staff code' }]);
      return;
    }
    signIn({ sub, roles: [form.get('role')] });
  });
}
