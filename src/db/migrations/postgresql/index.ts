export const postgresqlMigrations = [];
