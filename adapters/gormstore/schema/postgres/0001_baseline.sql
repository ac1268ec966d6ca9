-- Step 1 (PostgreSQL): the schema Parc created before its schema was versioned
-- (GORM AutoMigrate of the row structs, text collated byte-wise). Never
-- edit a step that has shipped: add the next one.
CREATE TABLE accounts (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    project_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    login_key character varying(128) NOT NULL COLLATE pg_catalog."C",
    login character varying(128) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    email character varying(254) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    name character varying(200) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    status character varying(16) NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL,
    updated_at timestamp(6) with time zone NOT NULL
);
CREATE TABLE api_keys (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    name character varying(200) NOT NULL COLLATE pg_catalog."C",
    prefix character varying(16) NOT NULL COLLATE pg_catalog."C",
    hash bytea NOT NULL,
    created_at timestamp(6) with time zone NOT NULL,
    last_used_at timestamp(6) with time zone,
    revoked_at timestamp(6) with time zone
);
CREATE TABLE clients (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    nom character varying(200) NOT NULL COLLATE pg_catalog."C",
    code bigint NOT NULL,
    status character varying(16) NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL,
    updated_at timestamp(6) with time zone NOT NULL,
    lock_count bigint DEFAULT 0 NOT NULL
);
CREATE TABLE companies (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    code character varying(64) NOT NULL COLLATE pg_catalog."C",
    name character varying(200) NOT NULL COLLATE pg_catalog."C",
    status character varying(16) NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL
);
CREATE TABLE dataset_entities (
    project_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    entity_key character varying(64) NOT NULL COLLATE pg_catalog."C",
    name character varying(64) NOT NULL COLLATE pg_catalog."C",
    lock_count bigint DEFAULT 0 NOT NULL
);
CREATE TABLE dataset_rows (
    project_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    entity_key character varying(64) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    row_key character varying(255) NOT NULL COLLATE pg_catalog."C",
    entity_name character varying(64) NOT NULL COLLATE pg_catalog."C",
    fields jsonb NOT NULL,
    field_names text NOT NULL COLLATE pg_catalog."C",
    srv_date timestamp(6) with time zone NOT NULL,
    srv_export bigint NOT NULL,
    srv_attrib bigint NOT NULL
);
CREATE TABLE equipment (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    site_id character varying(36) COLLATE pg_catalog."C",
    name character varying(255) NOT NULL COLLATE pg_catalog."C",
    name_key character varying(255) NOT NULL COLLATE pg_catalog."C",
    type character varying(64) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    serial character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    ip_address character varying(45) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    last_seen timestamp(6) with time zone,
    status character varying(16) NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL,
    updated_at timestamp(6) with time zone NOT NULL,
    lock_count bigint DEFAULT 0 NOT NULL,
    manufacturer character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    model character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    os_name character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    os_version character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    agent_device_id character varying(255) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    agent_kind character varying(32) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    agent_tag character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    last_inventory timestamp(6) with time zone
);
CREATE TABLE installation_events (
    id bigint NOT NULL,
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    equipment_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    program_key character varying(255) NOT NULL COLLATE pg_catalog."C",
    program character varying(255) NOT NULL COLLATE pg_catalog."C",
    kind character varying(16) NOT NULL COLLATE pg_catalog."C",
    from_version character varying(128) NOT NULL COLLATE pg_catalog."C",
    to_version character varying(128) NOT NULL COLLATE pg_catalog."C",
    occurred_at timestamp(6) with time zone NOT NULL
);
CREATE SEQUENCE installation_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE installation_events_id_seq OWNED BY installation_events.id;
CREATE TABLE installations (
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    equipment_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    program_key character varying(255) NOT NULL COLLATE pg_catalog."C",
    program character varying(255) NOT NULL COLLATE pg_catalog."C",
    version character varying(128) NOT NULL COLLATE pg_catalog."C",
    removed boolean NOT NULL,
    installed_at timestamp(6) with time zone NOT NULL,
    first_version character varying(128) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    changed_at timestamp(6) with time zone NOT NULL
);
CREATE TABLE project_members (
    project_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C"
);
CREATE TABLE projects (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    code character varying(64) NOT NULL COLLATE pg_catalog."C",
    name character varying(200) NOT NULL COLLATE pg_catalog."C",
    licenses bigint NOT NULL,
    owner_company_id character varying(36) DEFAULT ''::character varying NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL,
    lock_count bigint DEFAULT 0 NOT NULL
);
CREATE TABLE sites (
    id character varying(36) NOT NULL COLLATE pg_catalog."C",
    company_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    client_id character varying(36) NOT NULL COLLATE pg_catalog."C",
    nom character varying(200) NOT NULL COLLATE pg_catalog."C",
    status character varying(16) NOT NULL COLLATE pg_catalog."C",
    created_at timestamp(6) with time zone NOT NULL,
    updated_at timestamp(6) with time zone NOT NULL,
    lock_count bigint DEFAULT 0 NOT NULL
);
ALTER TABLE ONLY installation_events ALTER COLUMN id SET DEFAULT nextval('installation_events_id_seq'::regclass);
ALTER TABLE ONLY accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);
ALTER TABLE ONLY clients
    ADD CONSTRAINT clients_pkey PRIMARY KEY (id);
ALTER TABLE ONLY companies
    ADD CONSTRAINT companies_pkey PRIMARY KEY (id);
ALTER TABLE ONLY dataset_entities
    ADD CONSTRAINT dataset_entities_pkey PRIMARY KEY (project_id, company_id, entity_key);
ALTER TABLE ONLY dataset_rows
    ADD CONSTRAINT dataset_rows_pkey PRIMARY KEY (project_id, entity_key, company_id, row_key);
ALTER TABLE ONLY equipment
    ADD CONSTRAINT equipment_pkey PRIMARY KEY (id);
ALTER TABLE ONLY installation_events
    ADD CONSTRAINT installation_events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY installations
    ADD CONSTRAINT installations_pkey PRIMARY KEY (company_id, equipment_id, program_key);
ALTER TABLE ONLY project_members
    ADD CONSTRAINT project_members_pkey PRIMARY KEY (project_id, company_id);
ALTER TABLE ONLY projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);
ALTER TABLE ONLY sites
    ADD CONSTRAINT sites_pkey PRIMARY KEY (id);
CREATE INDEX ix_accounts_company ON accounts USING btree (project_id, company_id);
CREATE INDEX ix_accounts_status ON accounts USING btree (project_id, status);
CREATE INDEX ix_api_keys_company ON api_keys USING btree (company_id);
CREATE INDEX ix_clients_status ON clients USING btree (company_id, status, code);
CREATE INDEX ix_dataset_rows_changed ON dataset_rows USING btree (project_id, entity_key, company_id, srv_date, row_key);
CREATE INDEX ix_equipment_site ON equipment USING btree (company_id, site_id);
CREATE INDEX ix_installation_events_history ON installation_events USING btree (company_id, equipment_id, occurred_at, program_key, id);
CREATE INDEX ix_installations_changed ON installations USING btree (company_id, changed_at);
CREATE INDEX ix_installations_program ON installations USING btree (company_id, program_key, version);
CREATE INDEX ix_installations_version ON installations USING btree (company_id, version);
CREATE INDEX ix_project_members_company ON project_members USING btree (company_id);
CREATE INDEX ix_sites_client ON sites USING btree (client_id, status);
CREATE UNIQUE INDEX ux_accounts_login ON accounts USING btree (project_id, login_key);
CREATE UNIQUE INDEX ux_api_keys_prefix ON api_keys USING btree (prefix);
CREATE UNIQUE INDEX ux_clients_code ON clients USING btree (company_id, code);
CREATE UNIQUE INDEX ux_companies_code ON companies USING btree (code);
CREATE UNIQUE INDEX ux_equipment_name ON equipment USING btree (company_id, name_key);
CREATE UNIQUE INDEX ux_projects_code ON projects USING btree (code);
