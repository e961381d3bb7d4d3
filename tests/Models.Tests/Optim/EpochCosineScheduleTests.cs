using SparseCore.Models.Optim;
using Xunit;

namespace SparseCore.Models.Tests.Optim;

public class EpochCosineScheduleTests
{
    [Fact]
    public void Steps_once_per_epoch_as_torch_CosineAnnealingLR_over_30_epochs()
    {
        var s = new EpochCosineSchedule(stepsPerEpoch: 7, epochs: 30);
        // torch: lr_e = lr0·(1 + cos(π e / 30)) / 2 — the oracle values 1, 0.5 and 0.00274 at epochs 0, 15, 29.
        Assert.Equal(1f, s.Factor(0));
        Assert.Equal(1f, s.Factor(6));
        Assert.Equal(0.5f, s.Factor(15 * 7), 6);
        Assert.Equal(0.5f, s.Factor(15 * 7 + 6), 6);
        Assert.Equal(0.0027390, s.Factor(29 * 7), 6);
        Assert.True(s.Factor(7) < 1f);
    }

    [Fact]
    public void Steps_past_the_last_epoch_keep_its_rate()
    {
        var s = new EpochCosineSchedule(3, 4);
        Assert.Equal(s.Factor(3 * 3), s.Factor(100));
        Assert.Throws<ArgumentException>(() => new EpochCosineSchedule(0, 4));
    }
}
