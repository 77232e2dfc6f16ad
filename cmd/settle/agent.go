package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/postgres"
)

// creditorList collects repeated --creditor flags.
type creditorList []string

func (c *creditorList) String() string     { return strings.Join(*c, ",") }
func (c *creditorList) Set(v string) error { *c = append(*c, v); return nil }

func cmdAgent(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError{"agent: say add"}
	}
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	email := fs.String("email", "", "sign-in email")
	role := fs.String("role", "agent", "agent, finance or admin")
	stdin := fs.Bool("password-stdin", false, "read the password from stdin instead of making a one-time one")
	asJSON := fs.Bool("json", false, "print JSON")
	var creditors creditorList
	fs.Var(&creditors, "creditor", "a creditor id this user may see (repeat for more; admins see all)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if !strings.Contains(*email, "@") {
		return usageError{"agent add: --email is required"}
	}
	if !slices.Contains(access.Roles, *role) {
		return usageError{"agent add: --role must be agent, finance or admin"}
	}
	pw := access.NewPassword()
	if *stdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if err := access.CheckNewPassword(*email, pw); err != nil {
		return usageError{"agent add: " + err.Error()}
	}
	hash, err := access.HashPassword(pw)
	if err != nil {
		return err
	}
	return withDB(ctx, func(db *postgres.DB) error {
		a, err := db.CreateAgent(ctx, *email, *role, hash, creditors)
		if err != nil {
			return err
		}
		out := map[string]string{"id": a.ID, "email": a.Email, "role": a.Role}
		text := fmt.Sprintf("Console user %s (%s) created.\n", a.Email, a.Role)
		if !*stdin {
			out["password"] = pw
			text += fmt.Sprintf("One-time password (shown once): %s\n", pw)
		}
		if a.Role == "admin" {
			// Admins must sign in with a second factor: enrol one now and
			// hand its key over with the password.
			k, err := access.NewTOTPKey(a.Email)
			if err != nil {
				return err
			}
			if err := db.EnrolTOTP(ctx, a.ID, k.Secret); err != nil {
				return err
			}
			out["totp_secret"], out["totp_uri"] = k.Secret, k.URI
			text += fmt.Sprintf("Sign-in code key (shown once; add it to an authenticator app): %s\n%s\n", k.Secret, k.URI)
		}
		return printResult(*asJSON, out, text)
	})
}
