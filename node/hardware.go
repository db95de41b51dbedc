package node

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/herdhq/herd/ambari"
)

// hardwareProfile is what the agent tells Ambari of its host: address,
// processors, memory (kB, from /proc/meminfo) and operating system.
func hardwareProfile(ip string) ambari.HardwareProfile {
	release, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return ambari.HardwareProfile{IPAddress: ip, ProcessorCount: runtime.NumCPU(), MemoryTotal: memTotalKB(),
		OperatingSystem: runtime.GOOS, OSRelease: strings.TrimSpace(string(release))}
}

func memTotalKB() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			n, _ := strconv.ParseInt(fields[1], 10, 64)
			return n
		}
	}
	return 0
}
