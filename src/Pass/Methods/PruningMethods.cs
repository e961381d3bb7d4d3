using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Methods;

/// <summary>
/// The methods a prune run can use, by the name --method takes. Registering a method is one line
/// here (or one <see cref="Register"/> call from a program or test of its own).
/// </summary>
public static class PruningMethods
{
    private static readonly Dictionary<string, Func<PruningMethod>> Factories = new()
    {
        ["pass"] = () => new PassMethod(),
        ["l1"] = () => new L1Method(),
        ["group-l1"] = () => new GroupL1Method(),
        ["slim"] = () => new SlimMethod(),
        ["group-l2"] = () => new GroupL2Method(),
        ["growreg"] = () => new GrowRegMethod(),
        ["depgraph"] = () => new DepGraphMethod(),
        ["abc"] = () => new AbcMethod(),
        ["uniform"] = () => new UniformMethod(),
        ["random"] = () => new RandomMethod(),
        ["vpns"] = () => new VpnsMethod(),
        ["hydra"] = () => new HydraMethod(),
        ["imp"] = () => new ImpMethod(),
        ["random-weights"] = () => new RandomWeightsMethod(),
        ["omp"] = () => new OmpMethod(),
        ["snip"] = () => new SnipMethod(),
        ["synflow"] = () => new SynFlowMethod(),
    };

    private static readonly List<string> Order = [.. Factories.Keys];
    private static readonly Lock Gate = new();

    /// <summary>Every registered name, built-in methods first in their usual order.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return Order.ToArray();
        }
    }

    /// <summary>Adds a method under <paramref name="name"/> (a name taken is refused).</summary>
    public static void Register(string name, Func<PruningMethod> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (Gate)
        {
            if (!Factories.TryAdd(name, create)) throw new ArgumentException($"a pruning method named '{name}' is registered already");
            Order.Add(name);
        }
    }

    /// <summary>A new instance of the method named <paramref name="name"/>.</summary>
    public static PruningMethod Create(string name)
    {
        Func<PruningMethod>? create;
        lock (Gate) Factories.TryGetValue(name, out create);
        return create?.Invoke() ?? throw new ArgumentException($"--method: unknown '{name}'; choose one of {string.Join(", ", Names)}");
    }
}
