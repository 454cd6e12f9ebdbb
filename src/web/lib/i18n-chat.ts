/**
 * The strings of the chat channels (Slack, Microsoft Teams) on the settings page and in the team
 * dialog, added to the English bundle under `chat.*`. Imported for its side effect.
 */
import i18next from "i18next";
// The main bundle first: i18next is initialised there.
import "./i18n.js";

const chat = {
  title: "Chat",
  intro:
    "Post check-in reminders and digests to a Slack or Microsoft Teams channel. Paste the channel's incoming-webhook URL; teams can set their own.",
  teamIntro:
    "Where this team's reminders and digests are posted. Empty: its parent team's channel, or the organisation's.",
  slack: "Slack incoming-webhook URL",
  slackHelp: "In Slack: an app with Incoming Webhooks, then “Add New Webhook to Workspace”.",
  slackPlaceholder: "https://hooks.slack.com/services/…",
  teams: "Microsoft Teams workflow URL",
  teamsHelp: "In Teams: Workflows, “Post to a channel when a webhook request is received”.",
  teamsPlaceholder: "https://…",
  save: "Save chat channels",
  saved: "Chat channels saved",
  test: "Send a test message",
  testNothing: "Set a URL and save it first.",
  testUnsaved: "Save your changes first: the test uses the saved URLs.",
  testNone: "No channel is set, so nothing was sent.",
  kinds: { slack: "Slack", teams: "Microsoft Teams" },
  sent: "{{kind}}: the test message was delivered.",
  from: {
    team: "This team's channel",
    ancestor: "A parent team's channel",
    organization: "The organisation's channel",
  },
  status: "{{kind}}: {{state}}",
  set: "connected",
  notSet: "not set",
  hiddenUrls: "Only the organisation's owners and admins see and change these URLs.",
};

i18next.addResourceBundle("en", "translation", { chat }, true, true);
