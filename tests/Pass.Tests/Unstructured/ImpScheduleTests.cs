using SparseCore.Pass.Methods;

namespace SparseCore.Pass.Tests.Unstructured;

public class ImpScheduleTests
{
    [Theory]
    [InlineData(0.5, 4)]   // 0.8, 0.64, 0.512, then 0.5
    [InlineData(0.1, 11)]  // 0.8^10 ≈ 0.107, then 0.1
    [InlineData(0.64, 2)]  // lands on 0.8² exactly: no extra round
    [InlineData(0.8, 1)]
    public void Twenty_percent_of_the_remaining_weights_go_per_round_and_the_last_lands_on_the_density(double density, int rounds)
    {
        var schedule = ImpMethod.Schedule(density);
        Assert.Equal(rounds, schedule.Length);
        for (int i = 0; i < rounds - 1; i++) Assert.Equal(Math.Pow(0.8, i + 1), schedule[i], 12);
        Assert.Equal(density, schedule[^1]);
        Assert.True(schedule[^1] <= (rounds > 1 ? schedule[^2] : 1.0));
    }

    [Fact]
    public void Density_one_needs_no_round_and_a_density_outside_the_range_is_refused()
    {
        Assert.Empty(ImpMethod.Schedule(1));
        Assert.Throws<ArgumentException>(() => ImpMethod.Schedule(0));
    }
}
