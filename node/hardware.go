package node

import (
	"os"
	"runtime"
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

func memTotalKB() int64 { return memInfoKB("MemTotal:")[0] }
