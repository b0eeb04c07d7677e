package campaign

import "math"

// Wilson returns the 95% Wilson score interval of k catches in n runs:
// what "caught k of n" says about the true catch rate (3 of 3 is 44–100%).
// The self-test section of the page shows it beside every rate, and package trend judges
// a night's drop against it.
func Wilson(k, n int) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959964
	p := float64(k) / float64(n)
	d := 1 + z*z/float64(n)
	c := p + z*z/(2*float64(n))
	w := z * math.Sqrt(p*(1-p)/float64(n)+z*z/(4*float64(n)*float64(n)))
	return math.Max(0, (c-w)/d), math.Min(1, (c+w)/d)
}
