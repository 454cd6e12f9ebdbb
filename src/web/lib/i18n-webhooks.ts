/** Strings of the outbound webhooks page (#13), merged into the main bundle. */
import i18next from "i18next";
import "./i18n.js";

const webhooks = {
  title: "Webhooks",
  intro:
    "Okra posts a signed JSON message to these URLs when something happens. A webhook never carries what its creator could not see. How to verify the signature: docs/webhooks.md.",
  newTitle: "New webhook",
  url: "URL",
  urlHint: "https://… — the receiver's address",
  events: "Events",
  description: "Description",
  descriptionHint: "What receives it (optional)",
  create: "Create webhook",
  secretOnce: "Copy the signing secret now",
  secretOnceHint: "It is shown only this once. Your receiver uses it to check that each message comes from Okra.",
  secret: "Signing secret",
  dismiss: "I have copied it",
  none: "No webhooks yet.",
  active: "Active",
  activeLabel: "Active: {{url}}",
  off: "Off",
  saveEvents: "Save events",
  rotate: "New secret",
  rotateTitle: "Replace the signing secret?",
  rotateConfirm: "The current secret stops working at once; messages are signed with the new one from now on.",
  delete: "Delete",
  deleteTitle: "Delete this webhook?",
  deleteConfirm: "Okra stops posting to {{url}}. Deliveries still waiting fail.",
  log: "Delivery log",
  hideLog: "Hide the log",
  noDeliveries: "Nothing delivered yet.",
  replay: "Replay",
  replayLabel: "Replay {{event}} of {{at}}",
  replayed: "Sent again",
  attempts: "{{count}} attempt",
  attempts_other: "{{count}} attempts",
  answered: "answered {{status}}",
  next: "next try {{at}}",
  replayOf: "replay",
  more: "Older deliveries",
  state: {
    pending: "Waiting",
    sending: "Sending",
    sent: "Sent",
    failed: "Failed",
  },
  event: {
    checkIn: "Check-ins",
    status: "Status changes",
    closed: "Objectives closed",
    comment: "Comments",
  },
};

i18next.addResourceBundle("en", "translation", { webhooks }, true, true);
