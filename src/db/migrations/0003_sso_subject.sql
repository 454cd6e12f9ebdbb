ALTER TABLE "users" ADD COLUMN "sso_subject" text;--> statement-breakpoint
CREATE UNIQUE INDEX "users_org_sso_subject_uq" ON "users" USING btree ("org_id","sso_subject");