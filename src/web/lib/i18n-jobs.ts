/** Strings of the background jobs page (#12), merged into the main bundle. */
import i18next from "i18next";
import "./i18n.js";

const jobs = {
  title: "Background jobs",
  intro:
    "Okra runs these on its own, on a schedule (UTC). Reminders and the weekly digest then wait for your organisation's reminder hour. Run one now to see what it does.",
  schedule: "Schedule",
  nextRun: "Next run",
  lastRun: "Last run",
  failures: "Failures this week",
  never: "Never",
  ok: "Done",
  idle: "Nothing to do",
  idleResult:
    "Nothing was waiting, so nothing was sent or changed. Runs that find nothing to do are kept as one, dated by the latest ({{at}}).",
  failed: "Failed",
  running: "Running",
  runNow: "Run now",
  runNamed: "Run now: {{title}}",
  ran: "“{{title}}” ran.",
  result: "What the last run did",
  reminded: "Reminded {{name}} ({{channel}}): {{titles}}",
  channelEmail: "email and app",
  channelInApp: "app only",
  escalated: "Told {{manager}} that {{name}} missed check-ins: {{titles}}",
  skipped: "Skipped {{title}}: {{reason}}",
  nobody: "Nobody needed a reminder.",
  notYet: "Nothing sent: {{why}}",
  counts:
    "{{considered}} key results looked at: {{due}} due, {{reminded}} reminded, {{skipped}} skipped, {{notDue}} not due yet.",
  digestSent: "Sent {{name}} the digest ({{channel}}): {{sections}}",
  digestSkipped: "Skipped {{name}}: {{reason}}",
  digestNobody: "Nobody got a digest this time.",
  digestCounts: "Week of {{weekOf}}: {{sent}} sent, {{skipped}} skipped.",
  chatPosted: "Posted to the {{where}} {{kind}} channel.",
  chatFailed: "Could not post to the {{where}} {{kind}} channel: {{error}}",
  chatOrg: "organisation's",
  chatTeam: "team's",
  chatAncestor: "parent team's",
  manual: "run by hand",
  scheduled: "on schedule",
};

const rhythm = {
  title: "Check-in rhythm",
  help: "When check-ins are due, when reminders and the weekly digest go out, and when a manager hears of missed check-ins. A team can set its own cadence; its sub-teams follow it.",
  every: "Check-ins due",
  week1: "Every week",
  week2: "Every 2 weeks",
  week3: "Every 3 weeks",
  monthly: "Monthly (first such weekday)",
  on: "On",
  teamTitle: "Check-in cadence",
  teamHelp: "When this team's key results are due for a check-in. Sub-teams that follow their parent take this too.",
  inherit: "Follow the parent team (or the organisation)",
  reminderHour: "Reminders from (hour)",
  reminderHourHelp: "0–23, in the organisation's time zone",
  digestWeekday: "Weekly digest on",
  escalate: "Tell the manager after",
  escalateHelp: "missed reminders in a row (0: never)",
  dataSync: "Data-linked key results read their source",
  dataSyncHelp: "A key result's Sync now reads it at once, whatever this says.",
  dataSyncEvery: {
    "15": "Every 15 minutes",
    "60": "Hourly",
    "360": "Every 6 hours",
    "1440": "Daily",
    "0": "Only on Sync now",
  },
  days: {
    mon: "Monday",
    tue: "Tuesday",
    wed: "Wednesday",
    thu: "Thursday",
    fri: "Friday",
    sat: "Saturday",
    sun: "Sunday",
  },
};

i18next.addResourceBundle("en", "translation", { jobs, rhythm }, true, true);
