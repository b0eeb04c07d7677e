package nodeflags

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/raftlab/raftlab/api"
)

// Register defines one flag per setting on fs, writing into s. The values
// in s when Register is called are the flags' defaults (pass Defaults() to
// document the node's).
func Register(fs *flag.FlagSet, s *Settings) {
	v := reflect.ValueOf(s).Elem()
	for _, f := range fields() {
		// Typed flags where the field's type is a plain one, so that -h
		// shows "duration", "uint", ... instead of "value".
		switch p := v.Field(f.index).Addr().Interface().(type) {
		case *time.Duration:
			fs.DurationVar(p, f.name, *p, f.usage)
		case *uint64:
			fs.Uint64Var(p, f.name, *p, f.usage)
		case *int64:
			fs.Int64Var(p, f.name, *p, f.usage)
		case *int:
			fs.IntVar(p, f.name, *p, f.usage)
		case *string:
			fs.StringVar(p, f.name, *p, f.usage)
		case *bool:
			fs.BoolVar(p, f.name, *p, f.usage)
		case *float64:
			fs.Float64Var(p, f.name, *p, f.usage)
		default:
			fs.Var(value{v.Field(f.index)}, f.name, f.usage)
		}
	}
}

// Args encodes the non-zero settings as flags ("-name=value"), in field
// order. Register parses them back into the same Settings.
func (s Settings) Args() []string {
	v := reflect.ValueOf(s)
	var args []string
	for _, f := range fields() {
		if fv := v.Field(f.index); !fv.IsZero() {
			args = append(args, "-"+f.name+"="+format(fv))
		}
	}
	return args
}

// WithDefaults returns s with every zero field taken from Defaults.
func (s Settings) WithDefaults() Settings { return s.Or(Defaults()) }

// Or returns s with every zero field taken from base: s's settings on top
// of base's (a scenario's on top of the lab's fast raft timings).
func (s Settings) Or(base Settings) Settings {
	v := reflect.ValueOf(&s).Elem()
	d := reflect.ValueOf(base)
	for _, f := range fields() {
		if fv := v.Field(f.index); fv.IsZero() {
			fv.Set(d.Field(f.index))
		}
	}
	return s
}

// Validate checks the values that have a fixed vocabulary or sign; errors
// name the flag. Zero fields are fine (they mean the default).
func (s Settings) Validate() error {
	var errs []error
	if s.DefaultRead != "" {
		if _, err := api.ParseReadLevel(string(s.DefaultRead)); err != nil {
			errs = append(errs, fmt.Errorf("-default-read: %w", err))
		}
	}
	if s.LogLevel != "" {
		if _, err := ParseLogLevel(s.LogLevel); err != nil {
			errs = append(errs, err)
		}
	}
	v := reflect.ValueOf(s)
	for _, f := range fields() {
		if fv := v.Field(f.index); fv.CanInt() && fv.Int() < 0 {
			errs = append(errs, fmt.Errorf("-%s: %s must not be negative", f.name, format(fv)))
		}
	}
	return errors.Join(errs...)
}

// ParseLogLevel maps a -log-level value to a slog level.
func ParseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "error":
		return slog.LevelError, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "info":
		return slog.LevelInfo, nil
	case "debug", "trace":
		return slog.LevelDebug, nil
	}
	return 0, fmt.Errorf("-log-level: unknown level %q (want error, warn, info or debug)", s)
}

// Names lists the flag names of the settings, in field order.
func Names() []string {
	var names []string
	for _, f := range fields() {
		names = append(names, f.name)
	}
	return names
}

type field struct {
	index       int
	name, usage string
}

var durationType = reflect.TypeFor[time.Duration]()

// fields describes Settings. A field without a flag tag or of a kind that
// format and parse do not handle is a programming error, reported by panic
// at the first use (every test of this package makes that use).
func fields() []field {
	t := reflect.TypeFor[Settings]()
	out := make([]field, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		name, usage := sf.Tag.Get("flag"), sf.Tag.Get("usage")
		if name == "" || usage == "" {
			panic(fmt.Sprintf("nodeflags: Settings.%s needs flag and usage tags", sf.Name))
		}
		switch sf.Type.Kind() {
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		default:
			panic(fmt.Sprintf("nodeflags: Settings.%s: kind %s has no flag encoding", sf.Name, sf.Type.Kind()))
		}
		out = append(out, field{index: i, name: name, usage: usage})
	}
	return out
}

func format(v reflect.Value) string {
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return v.String()
}

func parse(v reflect.Value, s string) error {
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		v.SetString(s)
	}
	return nil
}

// value is a flag.Value backed by one settings field.
type value struct{ v reflect.Value }

func (x value) String() string {
	if !x.v.IsValid() { // the zero value flag.PrintDefaults makes
		return ""
	}
	return format(x.v)
}

func (x value) Set(s string) error { return parse(x.v, s) }

// IsBoolFlag lets a bool setting be given as plain -name.
func (x value) IsBoolFlag() bool { return x.v.IsValid() && x.v.Kind() == reflect.Bool }
