/**
 * The strings of the settings form's checks: what each number setting is called in a message,
 * what is wrong with what was typed, and the notice when the settings were not saved. Imported
 * for its side effect by the settings page.
 */
import { addStrings } from "./i18n.js";

addStrings("settingsForm", {
  /** Short names of the fields, for messages and the not-saved notice. */
  names: {
    name: "Organisation name",
    timeZone: "Time zone",
    notStartedGraceDays: "Days before counting as started",
    behindThreshold: "Behind up to",
    cadenceDays: "Check-in cadence",
    checkInGraceDays: "Days a check-in may be dated early",
    cadenceEvery: "Check-ins due",
    cadenceWeekday: "Check-in weekday",
    reminderHour: "Reminder hour",
    digestWeekday: "Weekly digest day",
    escalateAfterMissed: "Missed reminders before the manager hears",
    dataSyncMinutes: "Data-linked key results",
    objective: "Word for Objective",
    keyResult: "Word for Key result",
    initiative: "Word for Initiative",
  },
  wholeMissing: "{{name}} is required: enter a whole number from {{min}} to {{max}}.",
  wholeNotNumber: '{{name}} must be a whole number from {{min}} to {{max}}; "{{text}}" is not a number.',
  wholeOutside: "{{name}} must be a whole number from {{min}} to {{max}}, not {{text}}.",
  nameMissing: "Give the organisation a name.",
  wordMissing: "Give the word to use instead of {{word}}.",
  notSaved: "The settings were not saved",
  notSavedBecause: "The settings were not saved. {{why}}",
  notSavedFields_one: "{{names}} needs fixing; it is marked in red and selected.",
  notSavedFields_other: "{{count}} fields need fixing ({{names}}); they are marked in red and the first is selected.",
});
