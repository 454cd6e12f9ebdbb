/**
 * The strings of an objective's lifecycle actions: reopening it (asked first, refused while its
 * period is closed) and cloning it into a period. Imported for its side effect by those actions.
 */
import { addStrings } from "./i18n.js";

addStrings("lifecycle", {
  reopenTitle: "Reopen {{title}}?",
  reopenQuestion:
    "Its score ({{score}}) is cleared and it takes check-ins and edits again. Close it again when it is done.",
  reopenNoScore: "It takes check-ins and edits again. Close it again when it is done.",
  reopenConfirm: "Reopen the objective",
  reopenFailed: "The objective was not reopened",
  periodClosed:
    "{{period}} is closed, so its objectives stay closed. An admin can reopen the period on the Close page; its objectives then reopen with it.",
  cloneTitle: "Clone {{title}}",
  cloneIntro:
    "Makes a draft copy with the same owners and key results (progress is not copied). Nothing counts until you publish it.",
  cloneName: "Title of the copy",
  clonePeriod: "Period",
  clonePeriodHint: "Closed periods take no new objectives.",
  cloneNameMissing: "Give the copy a title.",
  cloneSubmit: "Create the draft copy",
  copySuffix: "{{title}} (copy)",
});
