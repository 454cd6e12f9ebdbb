/**
 * The strings of comments, mentions, reactions and following (#12), added to the English
 * bundle under `comments.*`. Imported for its side effect by the comments feature.
 */
import { addStrings } from "./i18n.js";

addStrings("comments", {
  title: "Comments",
  titleCount: "Comments ({{count}})",
  none: "No comments yet. Start the conversation.",
  placeholder: "Write a comment. Type @ to mention someone.",
  label: "Your comment",
  editLabel: "Edit your comment",
  mentionHelp: "Type @ and a name to mention someone: they get a notice if they may see this objective.",
  post: "Comment",
  save: "Save",
  cancel: "Cancel",
  edit: "Edit",
  delete: "Delete",
  deleteConfirm: "Delete this comment? It cannot be brought back.",
  edited: "edited",
  editedAt: "Edited {{at}}",
  formerMember: "A former member",
  noMatches: "Nobody matches",
  observerNote: "Observers read comments but do not write them.",
  react: "Add a reaction",
  reactionLabel: "{{emoji}} {{count}}: {{action}}",
  reactionAdd: "react with {{emoji}}",
  reactionRemove: "take your {{emoji}} away",
  showMore: "Show more comments",
  checkInComments: "Comments",
  checkInCommentsLabel: "Comments on the check-in of {{at}}",
  checkInThread: "Comments on the check-in of {{at}}",
  failed: "Could not save: {{message}}",
  follow: "Follow",
  following: "Following",
  unfollow: "Unfollow",
  followHelp: "Get a notice when this objective or its key results change.",
  reason: {
    owner: "You follow it because you own it.",
    commenter: "You follow it because you commented on it.",
    explicit: "You chose to follow it.",
  },
});
