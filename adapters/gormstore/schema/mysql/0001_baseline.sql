-- Step 1 (MySQL/MariaDB; {{collation}} is the server's binary NO PAD collation): the schema Parc created before its schema was versioned
-- (GORM AutoMigrate of the row structs, text collated byte-wise). Never
-- edit a step that has shipped: add the next one.
CREATE TABLE `accounts` (
  `id` varchar(36) NOT NULL,
  `project_id` varchar(36) NOT NULL,
  `login_key` varchar(128) NOT NULL,
  `login` varchar(128) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `email` varchar(254) NOT NULL DEFAULT '',
  `name` varchar(200) NOT NULL DEFAULT '',
  `status` varchar(16) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_accounts_login` (`project_id`,`login_key`),
  KEY `ix_accounts_status` (`project_id`,`status`),
  KEY `ix_accounts_company` (`project_id`,`company_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `api_keys` (
  `id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `name` varchar(200) NOT NULL,
  `prefix` varchar(16) NOT NULL,
  `hash` varbinary(32) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `last_used_at` datetime(6) DEFAULT NULL,
  `revoked_at` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_api_keys_prefix` (`prefix`),
  KEY `ix_api_keys_company` (`company_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `clients` (
  `id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `nom` varchar(200) NOT NULL,
  `code` bigint NOT NULL,
  `status` varchar(16) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  `lock_count` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_clients_code` (`company_id`,`code`),
  KEY `ix_clients_status` (`company_id`,`status`,`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `companies` (
  `id` varchar(36) NOT NULL,
  `code` varchar(64) NOT NULL,
  `name` varchar(200) NOT NULL,
  `status` varchar(16) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_companies_code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `dataset_entities` (
  `project_id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `entity_key` varchar(64) NOT NULL,
  `name` varchar(64) NOT NULL,
  `lock_count` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`project_id`,`company_id`,`entity_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `dataset_rows` (
  `project_id` varchar(36) NOT NULL,
  `entity_key` varchar(64) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `row_key` varchar(255) NOT NULL,
  `entity_name` varchar(64) NOT NULL,
  `fields` json NOT NULL,
  `field_names` longtext NOT NULL,
  `srv_date` datetime(6) NOT NULL,
  `srv_export` bigint NOT NULL,
  `srv_attrib` bigint NOT NULL,
  PRIMARY KEY (`project_id`,`entity_key`,`company_id`,`row_key`),
  KEY `ix_dataset_rows_changed` (`project_id`,`entity_key`,`company_id`,`srv_date`,`row_key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `equipment` (
  `id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `site_id` varchar(36) DEFAULT NULL,
  `name` varchar(255) NOT NULL,
  `name_key` varchar(255) NOT NULL,
  `type` varchar(64) NOT NULL DEFAULT '',
  `serial` varchar(128) NOT NULL DEFAULT '',
  `ip_address` varchar(45) NOT NULL DEFAULT '',
  `last_seen` datetime(6) DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  `lock_count` bigint NOT NULL DEFAULT 0,
  `manufacturer` varchar(128) NOT NULL DEFAULT '',
  `model` varchar(128) NOT NULL DEFAULT '',
  `os_name` varchar(128) NOT NULL DEFAULT '',
  `os_version` varchar(128) NOT NULL DEFAULT '',
  `agent_device_id` varchar(255) NOT NULL DEFAULT '',
  `agent_kind` varchar(32) NOT NULL DEFAULT '',
  `agent_tag` varchar(128) NOT NULL DEFAULT '',
  `last_inventory` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_equipment_name` (`company_id`,`name_key`),
  KEY `ix_equipment_site` (`company_id`,`site_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `installation_events` (
  `id` bigint NOT NULL AUTO_INCREMENT,
  `company_id` varchar(36) NOT NULL,
  `equipment_id` varchar(36) NOT NULL,
  `program_key` varchar(255) NOT NULL,
  `program` varchar(255) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `from_version` varchar(128) NOT NULL,
  `to_version` varchar(128) NOT NULL,
  `occurred_at` datetime(6) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_installation_events_history` (`company_id`,`equipment_id`,`occurred_at`,`program_key`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `installations` (
  `company_id` varchar(36) NOT NULL,
  `equipment_id` varchar(36) NOT NULL,
  `program_key` varchar(255) NOT NULL,
  `program` varchar(255) NOT NULL,
  `version` varchar(128) NOT NULL,
  `removed` tinyint(1) NOT NULL,
  `installed_at` datetime(6) NOT NULL,
  `first_version` varchar(128) NOT NULL DEFAULT '',
  `changed_at` datetime(6) NOT NULL,
  PRIMARY KEY (`company_id`,`equipment_id`,`program_key`),
  KEY `ix_installations_program` (`company_id`,`program_key`,`version`),
  KEY `ix_installations_version` (`company_id`,`version`),
  KEY `ix_installations_changed` (`company_id`,`changed_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `project_members` (
  `project_id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  PRIMARY KEY (`project_id`,`company_id`),
  KEY `ix_project_members_company` (`company_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `projects` (
  `id` varchar(36) NOT NULL,
  `code` varchar(64) NOT NULL,
  `name` varchar(200) NOT NULL,
  `licenses` bigint NOT NULL,
  `owner_company_id` varchar(36) NOT NULL DEFAULT '',
  `created_at` datetime(6) NOT NULL,
  `lock_count` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_projects_code` (`code`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
CREATE TABLE `sites` (
  `id` varchar(36) NOT NULL,
  `company_id` varchar(36) NOT NULL,
  `client_id` varchar(36) NOT NULL,
  `nom` varchar(200) NOT NULL,
  `status` varchar(16) NOT NULL,
  `created_at` datetime(6) NOT NULL,
  `updated_at` datetime(6) NOT NULL,
  `lock_count` bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  KEY `ix_sites_client` (`client_id`,`status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={{collation}};
