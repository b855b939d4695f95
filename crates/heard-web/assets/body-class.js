// Runs first thing in <body>, before the page is drawn, so that govuk-frontend's styles for
// scripted components apply from the start: js-enabled, and govuk-frontend-supported where
// the browser runs modules (heard.js, which starts the components, is one).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
