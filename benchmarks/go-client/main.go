// A Go net/http client driving the same cells as the JVM harness (LoadRun), as a reference point: Go's
// DefaultTransport ("default") or a transport whose idle caps match the concurrency ("tuned").
// It prints the same JSON line as LoadRun.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:18080", "base URL")
	path := flag.String("path", "/1k", "path")
	concurrency := flag.Int("c", 1, "concurrent callers")
	warmup := flag.Int("w", 2, "warm-up seconds")
	duration := flag.Int("d", 5, "measured seconds")
	burst := flag.Int("burst", 0, "requests per caller from a cold client (burst mode)")
	tuned := flag.Bool("tuned", false, "idle caps matching the concurrency")
	caFile := flag.String("ca", "", "PEM file of the CA to trust for https (HTTP/2 is attempted, as by default)")
	flag.Parse()

	transport := http.DefaultTransport.(*http.Transport).Clone()
	name := "go-default"
	if *tuned {
		name = "go-tuned"
		transport.MaxIdleConns = 0
		transport.MaxIdleConnsPerHost = *concurrency + 16
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(pem)
		transport.TLSClientConfig = &tls.Config{RootCAs: roots}
		statusClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	}
	client := &http.Client{Transport: transport}
	url := *base + *path

	if *burst == 0 {
		drive(client, url, *concurrency, time.Duration(*warmup)*time.Second, 0, nil)
	}
	accepts0 := accepts(*base)
	timeWait0 := timeWait(*base)
	rec := newRecorder(*concurrency)
	cpu0 := sampleCPU()
	start := time.Now()
	drive(client, url, *concurrency, time.Duration(*duration)*time.Second, *burst, rec)
	elapsed := time.Since(start)
	cpu1 := sampleCPU()
	n := rec.count()
	fmt.Printf("{\"client\":\"%s\",\"path\":\"%s\",\"concurrency\":%d,\"mode\":\"%s\",\"requests\":%d,\"errors\":%d,"+
		"\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"opened\":%d,\"time_wait\":%d,\"alloc_per_request\":-1,%s,\"java\":\"\"}\n",
		name, *path, *concurrency, mode(*burst), n, atomic.LoadInt64(&rec.errors), float64(n)/elapsed.Seconds(),
		rec.percentile(0.50)/1e6, rec.percentile(0.99)/1e6, accepts(*base)-accepts0, timeWait(*base)-timeWait0,
		cpu1.perRequestJSON(cpu0, n))
}

// cpuSample is where the CPU of a measured window went, as in the JVM harness (CpuSample.java): this process,
// the nginx worker whose pid run.sh puts in NGINX_WORKER_PID, and the whole machine's context switches.
type cpuSample struct {
	client, server, ctxt int64 // nanoseconds, nanoseconds, count; -1 when unknown
}

func sampleCPU() cpuSample {
	s := cpuSample{client: -1, server: -1, ctxt: -1}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.client = ru.Utime.Nano() + ru.Stime.Nano()
	}
	if pid := os.Getenv("NGINX_WORKER_PID"); pid != "" {
		if data, err := os.ReadFile("/proc/" + strings.TrimSpace(pid) + "/stat"); err == nil {
			text := string(data)
			fields := strings.Fields(text[strings.LastIndex(text, ")")+2:])
			if len(fields) > 12 {
				u, _ := strconv.ParseInt(fields[11], 10, 64)
				k, _ := strconv.ParseInt(fields[12], 10, 64)
				s.server = (u + k) * 10_000_000 // USER_HZ = 100
			}
		}
	}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "ctxt ") {
				s.ctxt, _ = strconv.ParseInt(strings.TrimSpace(line[5:]), 10, 64)
			}
		}
	}
	return s
}

func micros(nanos float64) float64 {
	if nanos < 0 {
		return -1
	}
	return nanos / 1000
}

func (end cpuSample) perRequestJSON(start cpuSample, requests int64) string {
	per := func(e, s int64) float64 {
		if e < 0 || s < 0 || requests == 0 {
			return -1
		}
		return float64(e-s) / float64(requests)
	}
	return fmt.Sprintf("\"client_cpu_us\":%.1f,\"server_cpu_us\":%.1f,\"ctx_switches\":%.2f",
		micros(per(end.client, start.client)), micros(per(end.server, start.server)), per(end.ctxt, start.ctxt))
}

func mode(burst int) string {
	if burst > 0 {
		return "burst"
	}
	return "steady"
}

func drive(client *http.Client, url string, concurrency int, d time.Duration, perCaller int, rec *recorder) {
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func(caller int) {
			defer wg.Done()
			for n := 0; (perCaller > 0 && n < perCaller) || (perCaller == 0 && time.Now().Before(deadline)); n++ {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if rec != nil {
					if err != nil {
						atomic.AddInt64(&rec.errors, 1)
					} else {
						rec.samples[caller] = append(rec.samples[caller], time.Since(t0).Nanoseconds())
					}
				}
			}
		}(i)
	}
	wg.Wait()
}

type recorder struct {
	samples [][]int64
	errors  int64
}

func newRecorder(callers int) *recorder {
	return &recorder{samples: make([][]int64, callers)}
}

func (r *recorder) count() int64 {
	var n int64
	for _, s := range r.samples {
		n += int64(len(s))
	}
	return n
}

func (r *recorder) percentile(p float64) float64 {
	var all []int64
	for _, s := range r.samples {
		all = append(all, s...)
	}
	if len(all) == 0 {
		return 0
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	i := int(float64(len(all))*p+0.999999) - 1
	if i < 0 {
		i = 0
	}
	return float64(all[i])
}

var acceptsLine = regexp.MustCompile(`\n\s*(\d+)\s+\d+\s+\d+`)

// statusClient reads nginx's stub_status on a connection of its own (trusting the -ca certificate for https).
var statusClient = http.DefaultClient

func accepts(base string) int64 {
	resp, err := statusClient.Get(base + "/status")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := acceptsLine.FindStringSubmatch(string(body))
	if m == nil {
		return -1
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n - 1
}

func timeWait(base string) int {
	port := base[strings.LastIndex(base, ":")+1:]
	p, _ := strconv.Atoi(port)
	count := 0
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) > 3 && f[3] == "06" {
				local, _ := strconv.ParseInt(f[1][strings.Index(f[1], ":")+1:], 16, 32)
				remote, _ := strconv.ParseInt(f[2][strings.Index(f[2], ":")+1:], 16, 32)
				if int(local) == p || int(remote) == p {
					count++
				}
			}
		}
	}
	return count
}
