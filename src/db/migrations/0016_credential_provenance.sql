ALTER TABLE "users" ADD COLUMN "password_set_by" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_set_by" uuid;--> statement-breakpoint
CREATE INDEX "users_password_set_by_idx" ON "users" USING btree ("org_id","password_set_by") WHERE "users"."password_set_by" is not null;