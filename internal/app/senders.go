package app

import (
	"fmt"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/notify"
)

// Senders builds the outreach channels from the configuration: email when
// SETTLE_SMTP_URL is set, SMS when the gateway is. A channel left off stays
// nil, and its messages fall back or fail where agents see them.
func Senders(cfg config.Config) (casework.Senders, error) {
	s := casework.Senders{BaseURL: cfg.BaseURL}
	if cfg.SMTPURL != "" {
		smtp, err := notify.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return s, fmt.Errorf("SETTLE_SMTP_URL: %w", err)
		}
		if s.Email, err = notify.NewMailer(smtp, cfg.MailFrom); err != nil {
			return s, fmt.Errorf("SETTLE_MAIL_FROM: %w", err)
		}
	}
	if cfg.SMSURL != "" {
		gw, err := notify.NewSMSGateway(cfg.SMSConfig(), nil)
		if err != nil {
			return s, fmt.Errorf("SETTLE_SMS_URL: %w", err)
		}
		s.SMS = gw
	}
	return s, nil
}
