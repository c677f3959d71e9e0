-- Linli's databases: one per service, all owned by the application role `linli`.
--
-- The postgres image runs this file once, as the superuser, when it starts on an empty data
-- volume (docker-compose.yml mounts it into /docker-entrypoint-initdb.d). It is not run again on
-- later starts: a database added here later must also be created by hand (docs/deploy.md).
-- The role's password comes from the container's LINLI_DB_PASSWORD (psql's \getenv, psql 15+).

\set ON_ERROR_STOP on

\getenv linli_password LINLI_DB_PASSWORD
\if :{?linli_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'LINLI_DB_PASSWORD is not set in the postgres container'; END $$;
\endif

-- Not a superuser: each service migrates its own schema as the owner of its database.
CREATE ROLE linli LOGIN PASSWORD :'linli_password';

CREATE DATABASE linli_gateway OWNER linli;
CREATE DATABASE linli_catalog OWNER linli;
CREATE DATABASE linli_orders OWNER linli;
CREATE DATABASE linli_livestream OWNER linli;
CREATE DATABASE linli_community OWNER linli;
CREATE DATABASE linli_matching OWNER linli;
