package nodeflags

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample returns a distinct non-zero value for field i of Settings, chosen
// by the field's kind only, so that a new field is covered without an edit.
func sample(t *testing.T, v reflect.Value, i int) {
	t.Helper()
	switch {
	case v.Type() == durationType:
		v.SetInt(int64(time.Duration(i+1)*1500*time.Millisecond + 7*time.Millisecond))
	case v.Kind() == reflect.String:
		v.SetString("value-" + v.Type().Name() + "-" + string(rune('a'+i)))
	case v.Kind() == reflect.Bool:
		v.SetBool(true)
	case v.CanInt():
		v.SetInt(int64(1000*(i+1) + 3))
	case v.CanUint():
		v.SetUint(uint64(2000*(i+1) + 5))
	case v.CanFloat():
		v.SetFloat(float64(i) + 0.25)
	default:
		t.Fatalf("field %d: kind %s: teach sample (and format/parse) this kind", i, v.Kind())
	}
}

func parseArgs(t *testing.T, args []string) Settings {
	t.Helper()
	var got Settings
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Register(fs, &got)
	require.NoError(t, fs.Parse(args), "%v", args)
	require.Empty(t, fs.Args())
	return got
}

// Every field, alone and all together, survives Settings → Args → Register.
func TestEveryFieldRoundTrips(t *testing.T) {
	n := reflect.TypeFor[Settings]().NumField()
	var all Settings
	for i := range n {
		var one Settings
		sample(t, reflect.ValueOf(&one).Elem().Field(i), i)
		sample(t, reflect.ValueOf(&all).Elem().Field(i), i)
		args := one.Args()
		name := reflect.TypeFor[Settings]().Field(i).Name
		require.Len(t, args, 1, "%s: one flag for one non-zero field", name)
		assert.Equal(t, one, parseArgs(t, args), "%s via %v", name, args)
	}
	args := all.Args()
	assert.Len(t, args, n)
	assert.Equal(t, all, parseArgs(t, args))
}

func TestZeroSettingsGiveNoArgs(t *testing.T) {
	assert.Empty(t, Settings{}.Args())
}

func TestFlagsAreNamedUniquelyAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range fields() {
		assert.False(t, seen[f.name], "flag -%s twice", f.name)
		seen[f.name] = true
		assert.NotContains(t, f.name, "=")
	}
	assert.Len(t, seen, reflect.TypeFor[Settings]().NumField())
}

// Defaults must give every field a value: zero means "default" everywhere,
// so a field without one would be unset in the node.
func TestDefaultsSetEveryField(t *testing.T) {
	d := reflect.ValueOf(Defaults())
	for _, f := range fields() {
		if d.Field(f.index).Kind() != reflect.Bool {
			assert.False(t, d.Field(f.index).IsZero(), "Defaults() leaves -%s zero", f.name)
		}
	}
	assert.NoError(t, Defaults().Validate())
}

func TestWithDefaultsFillsOnlyZeroFields(t *testing.T) {
	s := Settings{HeartbeatTimeout: 300 * time.Millisecond, SnapshotTrailingLogs: 1}.WithDefaults()
	want := Defaults()
	want.HeartbeatTimeout, want.SnapshotTrailingLogs = 300*time.Millisecond, 1
	assert.Equal(t, want, s)
}

func TestRegisterShowsTheGivenDefaults(t *testing.T) {
	d := Defaults()
	got := d
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var help strings.Builder
	fs.SetOutput(&help)
	Register(fs, &got)
	require.NoError(t, fs.Parse(nil))
	assert.Equal(t, d, got)
	fs.PrintDefaults()
	for _, name := range Names() {
		assert.Contains(t, help.String(), "-"+name+" ")
	}
	assert.Contains(t, help.String(), "(default 10240)")
	assert.Contains(t, help.String(), "-heartbeat-timeout duration")
}

func TestBadValuesAreRefusedNamingTheFlag(t *testing.T) {
	cases := map[string]Settings{
		"-default-read: unknown read level": {DefaultRead: "eventual"},
		"-log-level: unknown level":         {LogLevel: "loud"},
		"-apply-timeout: -1s must not be":   {ApplyTimeout: -time.Second},
		"-max-body: -5 must not be":         {MaxBodyBytes: -5},
	}
	for want, s := range cases {
		err := s.Validate()
		if assert.Error(t, err, want) {
			assert.Contains(t, err.Error(), want)
		}
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var s Settings
	Register(fs, &s)
	err := fs.Parse([]string{"-snapshot-trailing-logs=many"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-snapshot-trailing-logs")
}
