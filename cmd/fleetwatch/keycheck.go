package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/fleetwatch/fleetwatch/sqlstore"
)

// keyCheckText is what an installation's key check value is the HMAC of,
// under its secret key. The value tells whether a key is the installation's
// without revealing it.
const keyCheckText = "fleetwatch: the secret key of this installation"

// keyCheckValue is the key check value of a secret key.
func keyCheckValue(secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(keyCheckText))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkedSecretKey returns the secret key (secretKey) once the database
// agrees it is the installation's: the first replica to start stores its
// key's check value; a replica started with another key — a different
// --secret-key, or none on a second machine that would generate its own —
// refuses to start, instead of issuing tokens the others reject and failing
// every 2FA sign-in with the secrets the others encrypted. A generated key
// is only written to fleetwatch.key once accepted.
func (m *Main) checkedSecretKey(ctx context.Context, store *sqlstore.Store) ([]byte, error) {
	secret, source, save, err := m.secretKey()
	if err != nil {
		return nil, err
	}
	want := keyCheckValue(secret)
	stored, err := store.ClaimKeyCheck(ctx, want)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(stored), []byte(want)) {
		return nil, fmt.Errorf("refusing to start: the secret key is not this installation's (installation %s). "+
			"This replica uses %s, but the database's tokens, 2FA secrets and backup codes were made with another key. "+
			"Give every replica the same key: set FLEETWATCH_SECRET_KEY (--secret-key) to the key the other replicas use, "+
			"or copy their fleetwatch.key to %s", m.InstallationID, source, m.keyFile())
	}
	if save != nil {
		if err := save(); err != nil {
			return nil, err
		}
	}
	return secret, nil
}
