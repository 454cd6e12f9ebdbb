/**
 * The strings of a key result's "Data link" card (#13: check-in tokens and a data source),
 * added to the English bundle under `dataLink.*`. Imported for its side effect.
 */
import i18next from "i18next";
// The main bundle first: i18next is initialised there.
import "./i18n.js";

const dataLink = {
  title: "Data link",
  intro: "Let a script post this key result's value, or read it from a URL every hour.",
  tokens: "Check-in tokens",
  tokensHelp:
    "A script or CI job checks in with a token without a personal sign-in. It works for this key result only.",
  tokenName: "Token name",
  tokenNamePlaceholder: "e.g. Nightly CI",
  createToken: "Create token",
  tokenShownOnce: "Copy this token now: it is shown only once.",
  curl: "Post a value with curl:",
  noTokens: "No tokens yet.",
  tokenLine: "{{name}} · created {{created}} · {{used}}",
  neverUsed: "never used",
  lastUsed: "last used {{at}}",
  revoke: "Revoke",
  revokeLabel: "Revoke the token {{name}}",
  revoked: "Token {{name}} revoked",
  source: "Data source",
  sourceHelp:
    "Okra reads the value every hour and records a check-in when it changed. Private network addresses work only if the server allows them.",
  kind: "Format",
  kinds: { none: "No source (checked in by people and tokens)", json: "JSON (a JSONPath)", csv: "CSV (a cell)" },
  url: "URL",
  urlPlaceholder: "https://metrics.example.com/signups.json",
  path: "JSONPath",
  pathHelp: "Must find one number, e.g. $.data.signups",
  cell: "Cell",
  cellHelp: "A1 notation: B3 is column B of the file's third line (the header is line 1).",
  save: "Save source",
  saved: "Source saved",
  syncNow: "Sync now",
  syncUnsaved: "Save your changes first: Sync now reads the saved source.",
  neverSynced: "Not synced yet.",
  lastSync: "Last sync {{at}}.",
  lastValue: "Last value read: {{value}} ({{at}}).",
  error: "The last sync failed: {{error}} The last good value stays.",
  outcome: {
    recorded: "Read {{value}}: recorded as a check-in.",
    unchanged: "Read {{value}}: unchanged, nothing recorded.",
    failed: "The sync failed: {{error}}",
  },
  readOnly: "Read from {{url}}.",
};

i18next.addResourceBundle("en", "translation", { dataLink }, true, true);
