using SparseCore.Kernels.Random;

namespace SparseCore.Pass.Baselines;

/// <summary>The bee colony's search budget and its discrete space: every dimension takes a level 1…<see cref="Levels"/>.</summary>
/// <param name="Sources">Food sources held at once (ABCPruner's food_number; its default 10).</param>
/// <param name="Cycles">Cycles of employed, onlooker and scout bees after the first sources (max_cycle; 10).</param>
/// <param name="Limit">Trials without improvement after which a source is abandoned to a scout (food_limit; 5).</param>
/// <param name="Levels">Levels per dimension: level l keeps l/Levels of a layer (10: 10 %…100 %).</param>
/// <param name="Changes">Dimensions a bee moves per trial (honeychange_num; 2).</param>
public sealed record BeeColonyOptions(int Sources, int Cycles, int Limit, ulong Seed, int Levels = 10, int Changes = 2)
{
    /// <summary>The most fitness evaluations a search can make: the first sources, then per cycle one employed and one onlooker trial per source and one scout.</summary>
    public int MaxEvaluations => Sources + Cycles * (2 * Sources + 1);
}

/// <summary>The best code the colony saw, its fitness, and the distinct codes it evaluated.</summary>
public sealed record BeeColonyResult(int[] Best, double Fitness, int Evaluations);

/// <summary>
/// The artificial bee colony of ABCPruner (Lin et al., IJCAI 2020; Karaboga's ABC) over integer
/// vectors, maximising an injected fitness, so that it can be run on a constructed problem as well
/// as on pruned networks. As in the authors' code: each source starts as a uniform random code; an
/// employed bee per source moves <see cref="BeeColonyOptions.Changes"/> random dimensions to
/// trunc(x + R·(x − x_k)), R uniform in [−1, 1] and k another random source, clamped to the levels,
/// and the source takes the move if its fitness is higher (else the source's trial count grows);
/// onlookers visit the sources in turn, each with probability 0.9·f/f_max + 0.1, until as many
/// trials as sources are made; then the one source with the most trials is replaced by a scout's
/// random code if those reach <see cref="BeeColonyOptions.Limit"/>. The best code over every
/// evaluation is the answer. Two departures: any dimension may move (the authors' numpy draw never
/// picks the last one), and a code seen before is not evaluated again (its fitness is remembered),
/// which the search budget on two cores cannot afford to waste. Draws come from the engine's
/// counter-based generator, so a seed gives the same search on every machine.
/// </summary>
public static class BeeColony
{
    /// <param name="cycleDone">Called after every cycle with (cycle, best code, its fitness), for a log.</param>
    public static BeeColonyResult Search(int dimensions, BeeColonyOptions options, Func<int[], double> fitness, Action<int, int[], double>? cycleDone = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fitness);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        if (options.Sources < 2) throw new ArgumentOutOfRangeException(nameof(options), options.Sources, "a bee colony needs at least 2 food sources (a bee moves relative to another)");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Cycles);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Levels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Changes);
        var colony = new Colony(dimensions, options, fitness);
        for (int cycle = 1; cycle <= options.Cycles; cycle++)
        {
            colony.Employed();
            colony.Onlookers();
            colony.Scout();
            cycleDone?.Invoke(cycle, colony.Best.ToArray(), colony.BestFitness);
        }
        return new BeeColonyResult(colony.Best.ToArray(), colony.BestFitness, colony.Evaluations);
    }

    private sealed class Colony
    {
        private readonly int dimensions;
        private readonly BeeColonyOptions options;
        private readonly Func<int[], double> fitness;
        private readonly Dictionary<string, double> seen = new();
        private readonly int[][] sources;
        private readonly double[] fit;
        private readonly int[] trials;
        private ulong draws;

        public Colony(int dimensions, BeeColonyOptions options, Func<int[], double> fitness)
        {
            this.dimensions = dimensions;
            this.options = options;
            this.fitness = fitness;
            sources = new int[options.Sources][];
            fit = new double[options.Sources];
            trials = new int[options.Sources];
            for (int i = 0; i < sources.Length; i++)
            {
                sources[i] = RandomCode();
                fit[i] = Evaluate(sources[i]);
            }
        }

        public int[] Best { get; private set; } = [];
        public double BestFitness { get; private set; } = double.NegativeInfinity;
        public int Evaluations => seen.Count;

        public void Employed()
        {
            for (int i = 0; i < sources.Length; i++) Try(i);
        }

        public void Onlookers()
        {
            double max = fit.Max();
            var probability = fit.Select(f => max > 0 ? 0.9 * f / max + 0.1 : 1).ToArray();
            for (int i = 0, made = 0; made < sources.Length; i = (i + 1) % sources.Length)
            {
                if (Uniform() >= probability[i]) continue;
                made++;
                Try(i);
            }
        }

        public void Scout()
        {
            int most = 0;
            for (int i = 1; i < sources.Length; i++)
                if (trials[i] > trials[most]) most = i;
            if (trials[most] < options.Limit) return;
            sources[most] = RandomCode();
            fit[most] = Evaluate(sources[most]);
            trials[most] = 0;
        }

        /// <summary>One bee's trial at source i: a move towards or away from another source, kept if fitter.</summary>
        private void Try(int i)
        {
            int k = Index(sources.Length - 1);
            if (k >= i) k++;
            var code = sources[i].ToArray();
            for (int n = 0; n < options.Changes; n++)
            {
                int j = Index(dimensions);
                double r = 2 * Uniform() - 1;
                code[j] = Math.Clamp((int)(sources[i][j] + r * (sources[i][j] - sources[k][j])), 1, options.Levels);
            }
            double f = Evaluate(code);
            if (f > fit[i])
            {
                sources[i] = code;
                fit[i] = f;
                trials[i] = 0;
            }
            else trials[i]++;
        }

        private double Evaluate(int[] code)
        {
            string key = string.Join(',', code);
            if (seen.TryGetValue(key, out double known)) return known;
            double f = fitness(code.ToArray());
            if (!(double.IsFinite(f) && f >= 0))
                throw new InvalidOperationException($"bee colony: the fitness of [{key}] is {f}; it must be finite and non-negative (an accuracy)");
            seen[key] = f;
            if (f > BestFitness)
            {
                Best = code.ToArray();
                BestFitness = f;
            }
            return f;
        }

        private int[] RandomCode()
        {
            var code = new int[dimensions];
            for (int j = 0; j < dimensions; j++) code[j] = 1 + Index(options.Levels);
            return code;
        }

        private double Uniform() => CounterRng.Uniform01(CounterRng.Hash(options.Seed, ColonyStream, draws++));

        private int Index(int count) => Math.Min(count - 1, (int)(Uniform() * count));
    }

    /// <summary>Keeps the colony's draws apart from every other stream of the same seed.</summary>
    private const ulong ColonyStream = 0xABC_BEE;
}
