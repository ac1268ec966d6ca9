-- Step 1 (SQLite): the schema Parc created before its schema was versioned
-- (GORM AutoMigrate of the row structs, text collated byte-wise). Never
-- edit a step that has shipped: add the next one.
CREATE TABLE `companies` (`id` text,`code` text NOT NULL,`name` text NOT NULL,`status` text NOT NULL,`created_at` datetime NOT NULL,PRIMARY KEY (`id`));
CREATE UNIQUE INDEX `ux_companies_code` ON `companies`(`code`);
CREATE TABLE `api_keys` (`id` text,`company_id` text NOT NULL,`name` text NOT NULL,`prefix` text NOT NULL,`hash` blob NOT NULL,`created_at` datetime NOT NULL,`last_used_at` datetime,`revoked_at` datetime,PRIMARY KEY (`id`));
CREATE UNIQUE INDEX `ux_api_keys_prefix` ON `api_keys`(`prefix`);
CREATE INDEX `ix_api_keys_company` ON `api_keys`(`company_id`);
CREATE TABLE `equipment` (`id` text,`company_id` text NOT NULL,`site_id` text,`name` text NOT NULL,`name_key` text NOT NULL,`type` text NOT NULL DEFAULT "",`serial` text NOT NULL DEFAULT "",`ip_address` text NOT NULL DEFAULT "",`last_seen` datetime,`status` text NOT NULL,`created_at` datetime NOT NULL,`updated_at` datetime NOT NULL,`lock_count` integer NOT NULL DEFAULT 0,`manufacturer` text NOT NULL DEFAULT "",`model` text NOT NULL DEFAULT "",`os_name` text NOT NULL DEFAULT "",`os_version` text NOT NULL DEFAULT "",`agent_device_id` text NOT NULL DEFAULT "",`agent_kind` text NOT NULL DEFAULT "",`agent_tag` text NOT NULL DEFAULT "",`last_inventory` datetime,PRIMARY KEY (`id`));
CREATE INDEX `ix_equipment_site` ON `equipment`(`company_id`,`site_id`);
CREATE UNIQUE INDEX `ux_equipment_name` ON `equipment`(`company_id`,`name_key`);
CREATE TABLE `projects` (`id` text,`code` text NOT NULL,`name` text NOT NULL,`licenses` integer NOT NULL,`owner_company_id` text NOT NULL DEFAULT "",`created_at` datetime NOT NULL,`lock_count` integer NOT NULL DEFAULT 0,PRIMARY KEY (`id`));
CREATE UNIQUE INDEX `ux_projects_code` ON `projects`(`code`);
CREATE TABLE `project_members` (`project_id` text,`company_id` text,PRIMARY KEY (`project_id`,`company_id`));
CREATE INDEX `ix_project_members_company` ON `project_members`(`company_id`);
CREATE TABLE `accounts` (`id` text,`project_id` text NOT NULL,`login_key` text NOT NULL,`login` text NOT NULL,`company_id` text NOT NULL,`email` text NOT NULL DEFAULT "",`name` text NOT NULL DEFAULT "",`status` text NOT NULL,`created_at` datetime NOT NULL,`updated_at` datetime NOT NULL,PRIMARY KEY (`id`));
CREATE INDEX `ix_accounts_company` ON `accounts`(`project_id`,`company_id`);
CREATE INDEX `ix_accounts_status` ON `accounts`(`project_id`,`status`);
CREATE UNIQUE INDEX `ux_accounts_login` ON `accounts`(`project_id`,`login_key`);
CREATE TABLE `clients` (`id` text,`company_id` text NOT NULL,`nom` text NOT NULL,`code` integer NOT NULL,`status` text NOT NULL,`created_at` datetime NOT NULL,`updated_at` datetime NOT NULL,`lock_count` integer NOT NULL DEFAULT 0,PRIMARY KEY (`id`));
CREATE INDEX `ix_clients_status` ON `clients`(`company_id`,`status`,`code`);
CREATE UNIQUE INDEX `ux_clients_code` ON `clients`(`company_id`,`code`);
CREATE TABLE `sites` (`id` text,`company_id` text NOT NULL,`client_id` text NOT NULL,`nom` text NOT NULL,`status` text NOT NULL,`created_at` datetime NOT NULL,`updated_at` datetime NOT NULL,`lock_count` integer NOT NULL DEFAULT 0,PRIMARY KEY (`id`));
CREATE INDEX `ix_sites_client` ON `sites`(`client_id`,`status`);
CREATE TABLE `installations` (`company_id` text,`equipment_id` text,`program_key` text,`program` text NOT NULL,`version` text NOT NULL,`removed` numeric NOT NULL,`installed_at` datetime NOT NULL,`first_version` text NOT NULL DEFAULT "",`changed_at` datetime NOT NULL,PRIMARY KEY (`company_id`,`equipment_id`,`program_key`));
CREATE INDEX `ix_installations_changed` ON `installations`(`company_id`,`changed_at`);
CREATE INDEX `ix_installations_version` ON `installations`(`company_id`,`version`);
CREATE INDEX `ix_installations_program` ON `installations`(`company_id`,`program_key`,`version`);
CREATE TABLE `installation_events` (`id` integer PRIMARY KEY AUTOINCREMENT,`company_id` text NOT NULL,`equipment_id` text NOT NULL,`program_key` text NOT NULL,`program` text NOT NULL,`kind` text NOT NULL,`from_version` text NOT NULL,`to_version` text NOT NULL,`occurred_at` datetime NOT NULL);
CREATE INDEX `ix_installation_events_history` ON `installation_events`(`company_id`,`equipment_id`,`occurred_at`,`program_key`,`id`);
CREATE TABLE `dataset_rows` (`project_id` text,`entity_key` text,`company_id` text,`row_key` text,`entity_name` text NOT NULL,`fields` text NOT NULL,`field_names` text NOT NULL,`srv_date` datetime NOT NULL,`srv_export` integer NOT NULL,`srv_attrib` integer NOT NULL,PRIMARY KEY (`project_id`,`entity_key`,`company_id`,`row_key`));
CREATE INDEX `ix_dataset_rows_changed` ON `dataset_rows`(`project_id`,`entity_key`,`company_id`,`srv_date`,`row_key`);
CREATE TABLE `dataset_entities` (`project_id` text,`company_id` text,`entity_key` text,`name` text NOT NULL,`lock_count` integer NOT NULL DEFAULT 0,PRIMARY KEY (`project_id`,`company_id`,`entity_key`));
