/**
 * The strings of the review workflow (#12): the review panel on a draft's page, the drafts
 * waiting for my review, and the setting. Imported for its side effect by those screens.
 */
import { addStrings } from "./i18n.js";

addStrings("review", {
  title: "Review",
  setting: "Drafts need a review before they go live",
  settingHelp:
    "A draft is submitted for review, approved (or sent back with a comment) by the owner's manager or the team's owner, then published. Admins may publish without a review.",
  states: {
    draft: "Draft",
    inReview: "In review",
    approved: "Approved",
    active: "Active",
    closed: "Closed",
  },
  reviewers: "Reviewers",
  reviewersAdmins: "The admins review it: its owners have no manager and its team no other owner.",
  noReviewer: "Nobody can review it yet: add a manager to an owner, or an owner to its team.",
  submit: "Submit for review",
  submitComment: "Note for the reviewers (optional)",
  submitted: "Submitted for review: the reviewers have been told.",
  blocked: "Fix what the coach marks as an error before submitting:",
  blockedReason: "The coach found errors in this draft; fix them first.",
  approve: "Approve",
  approveTitle: "Approve “{{title}}”",
  approveComment: "Comment (optional)",
  approved: "Approved: its owners can publish it now.",
  sendBack: "Send back",
  sendBackTitle: "Send “{{title}}” back",
  sendBackComment: "What should change?",
  sendBackRequired: "Say what should change before it is submitted again.",
  sentBack: "Sent back to its owners with your comment.",
  waitingForReview: "Waiting for a reviewer to approve it or send it back.",
  readyToPublish: "Approved: publish it to make it active.",
  notSubmitted: "Submit it for review; it can be published once approved.",
  publishWithoutReview: "Publish without review",
  publishWithoutReviewHelp: "As an admin you may skip the review; the trail records that you did.",
  trail: "Review history",
  steps: {
    submitted: "submitted it for review",
    approved: "approved it",
    sentBack: "sent it back",
    withdrawn: "changed it after submitting, so it went back to draft",
    activated: "published it",
  },
  failed: "That did not work",
  waiting: {
    title: "Waiting for my review",
    submitted: "submitted {{when}}",
    more: "More drafts are waiting than shown here.",
  },
});
