CREATE TABLE "instance_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alignments" ADD COLUMN "state" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "email_tokens" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "email_tokens" ADD COLUMN "sends" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "scim_tokens" ADD COLUMN "created_by" uuid;--> statement-breakpoint
-- Credentials issued before this migration: their issuer, from the audit trail that recorded it.
UPDATE "api_tokens" t SET "created_by" = a."actor_id"
  FROM "audit_events" a
  WHERE a."org_id" = t."org_id" AND a."object_type" = 'token' AND a."object_id" = t."id"
    AND a."action" = 'token.created' AND a."actor_id" IS NOT NULL AND a."actor_id" <> t."user_id";--> statement-breakpoint
UPDATE "scim_tokens" t SET "created_by" = a."actor_id"
  FROM "audit_events" a
  WHERE a."org_id" = t."org_id" AND a."object_type" = 'scimToken' AND a."object_id" = t."id"
    AND a."action" = 'scimToken.created';--> statement-breakpoint
UPDATE "email_tokens" t SET "created_by" = (
    SELECT a."actor_id" FROM "audit_events" a
    WHERE a."org_id" = t."org_id" AND a."object_type" = 'user' AND a."object_id" = t."user_id"
      AND a."action" = 'user.invited' AND a."at" <= t."created_at" + interval '1 minute'
    ORDER BY a."at" DESC, a."id" DESC LIMIT 1)
  WHERE t."purpose" = 'invite' AND t."used_at" IS NULL;
