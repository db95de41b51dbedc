package activities

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/herdhq/herd/contract"
	"github.com/herdhq/herd/membership"
)

// disksEvery is how often the health watch asks the nodes for their
// facts (a Serf query) to see how full their disks are.
const disksEvery = 30 * time.Second

// diskWatch keeps, per node, its file system fuller than the threshold
// ("/ 93%"), from the latest herd-facts answers.
type diskWatch struct {
	addr, auth string
	percent    int
	next       time.Time
	full       map[string]string
}

// refresh asks every node for its facts when it is time; a node that does
// not answer keeps what it last said.
func (d *diskWatch) refresh(now time.Time) {
	if d.percent <= 0 || now.Before(d.next) {
		return
	}
	d.next = now.Add(disksEvery)
	asked, err := membership.Ask(d.addr, d.auth, contract.QueryFacts, 3*time.Second)
	if err != nil {
		return
	}
	if d.full == nil {
		d.full = map[string]string{}
	}
	for _, a := range asked.Answers {
		var f contract.Facts
		if json.Unmarshal(a.Payload, &f) == nil {
			d.full[a.Node] = fullest(f.Disks, d.percent)
		}
	}
}

// fullest names the fullest file system at or past percent, "" if none is.
func fullest(disks []contract.Disk, percent int) string {
	out, most := "", 0.0
	for _, d := range disks {
		if used := d.UsedPercent(); used >= float64(percent) && used > most {
			out, most = fmt.Sprintf("%s %.0f%%", d.Mount, used), used
		}
	}
	return out
}
