package database

import (
	"context"
	"log/slog"
	"path"
	"time"

	"gorm.io/gorm/logger"
	"gorm.io/gorm/utils"
)

// slowLog is GORM's logger: it reports statements slower than a threshold,
// by the code that ran them, and nothing else. It never logs SQL text nor a
// driver's error message, which may quote the values of a row (the HTTP
// access log records every failure once, without SQL). GORM's own messages
// are dropped: they are printf templates that its slog adapter does not
// format (a "failed to initialize database, got error %v" with the error
// lost), and every error they describe is returned to the caller anyway.
type slowLog struct {
	log       *slog.Logger
	threshold time.Duration // 0: off
}

func newSlowLog(log *slog.Logger, threshold time.Duration) logger.Interface {
	return slowLog{log: log, threshold: threshold}
}

func (l slowLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (slowLog) Info(context.Context, string, ...any)       {}
func (slowLog) Warn(context.Context, string, ...any)       {}
func (slowLog) Error(context.Context, string, ...any)      {}

func (l slowLog) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if l.threshold <= 0 {
		return
	}
	elapsed := time.Since(begin)
	if elapsed < l.threshold {
		return
	}
	_, rows := fc()
	l.log.WarnContext(ctx, "slow database statement", "elapsed_ms", float64(elapsed.Microseconds())/1000,
		"threshold_ms", l.threshold.Milliseconds(), "rows", rows, "failed", err != nil, "caller", shortCaller(utils.FileWithLineNum()))
}

// shortCaller keeps a source location's package directory and file name.
func shortCaller(fileLine string) string {
	dir, file := path.Split(fileLine)
	return path.Join(path.Base(dir), file)
}
