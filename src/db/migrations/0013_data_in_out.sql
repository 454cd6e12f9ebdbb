CREATE TABLE "key_result_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"key_result_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"webhook_id" uuid NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"response_status" integer,
	"error" text,
	"replay_of" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"events" text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "initiatives" ADD COLUMN "ref" text;--> statement-breakpoint
ALTER TABLE "key_results" ADD COLUMN "ref" text;--> statement-breakpoint
ALTER TABLE "key_results" ADD COLUMN "source" jsonb;--> statement-breakpoint
ALTER TABLE "key_results" ADD COLUMN "source_state" jsonb;--> statement-breakpoint
ALTER TABLE "objectives" ADD COLUMN "ref" text;--> statement-breakpoint
CREATE UNIQUE INDEX "key_result_tokens_hash_uq" ON "key_result_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "key_result_tokens_kr_idx" ON "key_result_tokens" USING btree ("org_id","key_result_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_log_idx" ON "webhook_deliveries" USING btree ("org_id","webhook_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("next_attempt_at") WHERE "webhook_deliveries"."state" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "webhooks_org_idx" ON "webhooks" USING btree ("org_id") WHERE "webhooks"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "initiatives_ref_uq" ON "initiatives" USING btree ("org_id","ref") WHERE "initiatives"."ref" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "key_results_ref_uq" ON "key_results" USING btree ("org_id","ref") WHERE "key_results"."ref" is not null;--> statement-breakpoint
CREATE INDEX "key_results_source_idx" ON "key_results" USING btree ("org_id") WHERE "key_results"."source" is not null and "key_results"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "objectives_ref_uq" ON "objectives" USING btree ("org_id","ref") WHERE "objectives"."ref" is not null;