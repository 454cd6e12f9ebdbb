/** The API's contract: every response shape (see api-shapes.ts). */
export * from "./account-shapes.js";
export * from "./api-shapes.js";
export * from "./comment-shapes.js";
export * from "./data-link-shapes.js";
export * from "./import-shapes.js";
export * from "./review-shapes.js";
export * from "./rhythm-shapes.js";
export * from "./webhook-shapes.js";
