package database

import (
	"fmt"
	"log/slog"
	"strings"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
)

// GaleraSyncWait is the wsrep_sync_wait Parc gives its sessions on a Galera
// cluster: 1 makes each read (and the start of each transaction) wait until
// the node has applied every write the cluster had committed when the read
// began, so that a write acknowledged through one node is seen at once
// through any other. Without it a node answers from whatever it has applied
// so far. A database URL may set another value (wsrep_sync_wait=0 turns the
// wait off, for a deployment that pins each client to one node).
const GaleraSyncWait = "1"

// readYourWrites looks at the MySQL-family server behind db: on a Galera
// node (wsrep_on is ON) it reopens the connection with wsrep_sync_wait set
// for every session, unless the URL chose a value itself. Elsewhere it
// returns db as it is.
func readYourWrites(db *gorm.DB, rawURL string, log *slog.Logger) (*gorm.DB, error) {
	galera, err := isGalera(db)
	if err != nil {
		return nil, err
	}
	if !galera {
		return db, nil
	}
	dsn, err := mysqlDSN(rawURL, map[string]string{"wsrep_sync_wait": GaleraSyncWait})
	if err != nil {
		return nil, err
	}
	reopened, err := gorm.Open(mysql.Open(dsn), db.Config)
	if err != nil {
		return nil, err
	}
	_ = Close(db)
	var wait string
	if err := reopened.Raw("SELECT @@SESSION.wsrep_sync_wait").Scan(&wait).Error; err != nil {
		_ = Close(reopened)
		return nil, fmt.Errorf("read wsrep_sync_wait: %w", err)
	}
	log.Info("database is a Galera cluster node", "wsrep_sync_wait", wait)
	return reopened, nil
}

// isGalera reports whether the server replicates through Galera. MySQL
// without wsrep has no such variable and answers no row.
func isGalera(db *gorm.DB) (bool, error) {
	var rows []struct {
		Name  string `gorm:"column:Variable_name"`
		Value string `gorm:"column:Value"`
	}
	if err := db.Raw("SHOW VARIABLES LIKE 'wsrep_on'").Scan(&rows).Error; err != nil {
		return false, fmt.Errorf("ask whether the server is a Galera node: %w", err)
	}
	return len(rows) == 1 && strings.EqualFold(rows[0].Value, "ON"), nil
}
