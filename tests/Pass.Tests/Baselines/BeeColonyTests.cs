using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// The bee colony on constructed problems whose best code is known: it finds it within its stated
/// evaluation budget, evaluates no code twice, and repeats itself for a seed.
/// </summary>
public class BeeColonyTests
{
    /// <summary>Highest (1) only at <paramref name="optimum"/>, lower the further a code is from it (L1 distance over levels).</summary>
    private static Func<int[], double> Peak(int[] optimum) => code => 1.0 / (1 + code.Select((x, j) => Math.Abs(x - optimum[j])).Sum());

    [Theory]
    [InlineData(new[] { 3, 10, 1, 7 }, 1UL)]
    [InlineData(new[] { 1, 1, 9, 2 }, 2UL)]
    [InlineData(new[] { 6, 6, 6, 6 }, 3UL)]
    public void Finds_the_constructed_optimum_within_its_budget(int[] optimum, ulong seed)
    {
        var options = new BeeColonyOptions(Sources: 8, Cycles: 40, Limit: 4, Seed: seed);
        int calls = 0;
        var fitness = Peak(optimum);
        var result = BeeColony.Search(optimum.Length, options, code => { calls++; return fitness(code); });
        Assert.Equal(optimum, result.Best);
        Assert.Equal(1.0, result.Fitness);
        Assert.Equal(calls, result.Evaluations);
        Assert.InRange(calls, 1, options.MaxEvaluations);
        Assert.True(calls < Math.Pow(options.Levels, optimum.Length) / 10, $"{calls} evaluations is no search");
    }

    [Fact]
    public void Evaluates_each_code_once_keeps_its_levels_and_repeats_itself_for_a_seed()
    {
        var seen = new List<string>();
        var options = new BeeColonyOptions(Sources: 5, Cycles: 10, Limit: 2, Seed: 7, Levels: 6, Changes: 1);
        var fitness = Peak([2, 5, 4]);
        var first = BeeColony.Search(3, options, code =>
        {
            Assert.All(code, x => Assert.InRange(x, 1, 6));
            seen.Add(string.Join(',', code));
            return fitness(code);
        });
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var again = BeeColony.Search(3, options, fitness);
        Assert.Equal(first.Best, again.Best);
        Assert.Equal((first.Fitness, first.Evaluations), (again.Fitness, again.Evaluations));
        var cycles = new List<int>();
        BeeColony.Search(3, options, fitness, (cycle, best, f) => cycles.Add(cycle));
        Assert.Equal(Enumerable.Range(1, 10), cycles);
    }

    [Fact]
    public void Bad_budgets_and_negative_fitness_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BeeColony.Search(3, new BeeColonyOptions(1, 2, 2, 0), _ => 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BeeColony.Search(3, new BeeColonyOptions(3, 2, 0, 0), _ => 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BeeColony.Search(0, new BeeColonyOptions(3, 2, 2, 0), _ => 1));
        Assert.Contains("non-negative", Assert.Throws<InvalidOperationException>(() => BeeColony.Search(3, new BeeColonyOptions(3, 2, 2, 0), _ => -1)).Message);
    }
}
