package node

import (
	"bufio"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/herdhq/herd/ambari"
	"github.com/herdhq/herd/contract"
)

// maxDisks bounds the file systems a facts answer lists, so that it stays
// within Serf's 1,024-byte limit on a query response.
const maxDisks = 6

// nodeVersion is the node program's module version and revision.
func nodeVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " " + s.Value[:12]
		}
	}
	return v
}

// loadAverage reads the host's load averages from /proc/loadavg.
func loadAverage() [3]float64 {
	var out [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	for i, f := range strings.Fields(string(b)) {
		if i == 3 {
			break
		}
		out[i], _ = strconv.ParseFloat(f, 64)
	}
	return out
}

// memInfoMiB reads the host's total and available memory.
func memInfoMiB() (total, avail int64) {
	kb := memInfoKB("MemTotal:", "MemAvailable:")
	return kb[0] / 1024, kb[1] / 1024
}

// memInfoKB reads the given /proc/meminfo fields, in kB.
func memInfoKB(keys ...string) []int64 {
	out := make([]int64, len(keys))
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		if i := slices.Index(keys, fields[0]); i >= 0 {
			out[i], _ = strconv.ParseInt(fields[1], 10, 64)
		}
	}
	return out
}

// pseudoFS are file systems that hold no data of the node's.
var pseudoFS = []string{"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "mqueue", "cgroup", "cgroup2",
	"securityfs", "debugfs", "tracefs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs", "autofs", "nsfs", "binfmt_misc", "shm"}

// disks lists the space of the node's data file systems (its root and
// volumes, not files bind-mounted in by the engine), at most max of them.
func disks(max int) []contract.Disk {
	f, err := os.Open("/proc/self/mounts")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []contract.Disk
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(out) < max {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || slices.Contains(pseudoFS, fields[2]) {
			continue
		}
		if d, ok := diskAt(fields[1]); ok && !slices.ContainsFunc(out, func(o contract.Disk) bool { return o.Mount == d.Mount }) {
			out = append(out, d)
		}
	}
	return out
}

// diskAt is the space of the file system mounted at a directory.
func diskAt(mount string) (contract.Disk, bool) {
	if st, err := os.Stat(mount); err != nil || !st.IsDir() {
		return contract.Disk{}, false
	}
	var s syscall.Statfs_t
	if err := syscall.Statfs(mount, &s); err != nil || s.Blocks == 0 {
		return contract.Disk{}, false
	}
	mib := func(blocks uint64) int64 { return int64(blocks * uint64(s.Bsize) >> 20) }
	return contract.Disk{Mount: mount, Total: mib(s.Blocks), Free: mib(s.Bavail)}, true
}

// diskAlert runs Ambari's host disk usage alert on the root file system,
// as the agent's alert_disk_space.py does.
func diskAlert() ambari.AgentAlert {
	var total, used, free int64
	var s syscall.Statfs_t
	if err := syscall.Statfs("/", &s); err == nil {
		bs := int64(s.Bsize)
		total, used, free = int64(s.Blocks)*bs, int64(s.Blocks-s.Bfree)*bs, int64(s.Bavail)*bs
	}
	state, text := ambari.DiskUsageAlert(total, used, free)
	return ambari.AgentAlert{Name: ambari.AlertDiskUsage.Name, State: state, Text: text, Timestamp: time.Now().UnixMilli()}
}
