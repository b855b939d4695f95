// Starts govuk-frontend's components on every page. Loaded as a module
// (<script type="module" src="/assets/heard.js">), so pages need no inline script;
// body-class.js has already marked the page as one govuk-frontend supports.
import { initAll } from "/assets/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
