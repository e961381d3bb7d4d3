using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;

namespace SparseCore.Pass.Hypernetwork;

/// <summary>
/// Given the hard input mask of a mask's owner conv: the mask id it reads and that mask's current
/// scores; returns the 0/1 values (the recurrence's M(i−1)).
/// </summary>
public delegate float[] RecurrenceMask(int mask, float[] scores);

/// <summary>
/// PASS's recurrent hypernetwork (arXiv 2407.17412, Eq. 1; decisions in docs/pass.md): h0 = g_ω(V), c0 = 0; one LSTM step per
/// distinct mask of the channel graph, in its order, fed u_i = the signed mean over C_in·K·K of
/// the in-masked weights M(in) ⊗ W of the mask's owner conv, zero-padded to the widest mask (or
/// projected to the hidden size, <see cref="HypernetworkOptions.Projection"/>); one Linear head
/// per mask maps h_i to that mask's channel scores. Parameters: "encoder.*", "projection.*",
/// "lstm.*_l0", "heads.{mask}.*". The backbone's weights are read detached: the hypernetwork
/// never sends a gradient into the backbone, whether or not it is frozen.
/// </summary>
public sealed class ChannelHypernetwork : Module
{
    private readonly Conv2d[] owners;
    private readonly HeadList heads;

    /// <param name="backbone">The backbone (or a PromptedModel around it) whose owner convs are read at every call.</param>
    /// <param name="promptChannels">Channels of the prompt tensor V the encoder reads.</param>
    public ChannelHypernetwork(ModuleInit init, Module backbone, ChannelGraph graph, int promptChannels, HypernetworkOptions? options = null)
    {
        options ??= new HypernetworkOptions();
        if (options.Hidden <= 0) throw new ArgumentException($"hypernetwork: the hidden size must be positive, got {options.Hidden}");
        Graph = graph;
        var modules = backbone.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        owners = graph.Masks.Select(m => OwnerConv(graph, modules, m)).ToArray();
        Hidden = options.Hidden;
        InputWidth = graph.Masks.Max(m => m.Channels);
        Encoder = AddModule("encoder", new PromptEncoder(init, promptChannels, Hidden));
        Projection = options.Projection ? AddModule("projection", new Linear(init, InputWidth, Hidden)) : null;
        Lstm = AddModule("lstm", new Lstm(init, Projection is null ? InputWidth : Hidden, Hidden));
        heads = AddModule("heads", new HeadList(graph.Masks.Select(m => new Linear(init, Hidden, m.Channels))));
    }

    public ChannelGraph Graph { get; }
    public int Hidden { get; }

    /// <summary>The statistics vector's length: the widest mask's channel count.</summary>
    public int InputWidth { get; }

    public PromptEncoder Encoder { get; }
    public Linear? Projection { get; }
    public Lstm Lstm { get; }

    public Linear Head(int mask) => heads[mask];

    /// <summary>The scores with unmasked weights at every step (W̃ = W): the no-mask pass that gives the first step's recurrence threshold (docs/pass.md, Masks).</summary>
    protected override Tensor ForwardCore(Tensor prompt) => Scores(prompt, (RecurrenceMask?)null);

    /// <summary>
    /// Every mask's channel scores, concatenated in mask order ([TotalChannels]). A step whose owner
    /// conv reads a masked input feeds M(in) ⊗ W, with M(in) = <paramref name="recurrence"/>'s 0/1
    /// values on that mask's scores through the straight-through estimator (so the next step's
    /// input carries a gradient back into earlier heads, the third gradient path Eq. 1's recurrence implies); null feeds the
    /// unmasked weights everywhere. The first mask (the stem) always reads the image, unmasked.
    /// </summary>
    public Tensor Scores(Tensor prompt, RecurrenceMask? recurrence) =>
        Scores(prompt, recurrence is null ? null : (input, scores) => StraightThrough.Apply(scores, recurrence(input, scores.ToArray())));

    /// <summary>
    /// The scores with the recurrence 1[score ≥ <paramref name="threshold"/>] (the best score kept
    /// when none reaches it) made on the device: the same values as the host rule, without the
    /// download per mask that the host rule needs (each a full stream synchronisation on a GPU).
    /// </summary>
    public Tensor Scores(Tensor prompt, float threshold) =>
        Scores(prompt, (_, scores) => StraightThrough.AboveThreshold(scores, threshold));

    /// <summary>
    /// The scores with the per-layer recurrence: each in-mask keeps the <paramref name="keep"/>(C)
    /// best of its C scores (ties to the lower channel), chosen on the device rather than by a
    /// download per mask.
    /// </summary>
    public Tensor ScoresKeepingTop(Tensor prompt, Func<int, int> keep) =>
        Scores(prompt, (input, scores) => StraightThrough.KeepingTop(scores, keep(Graph.Masks[input].Channels)));

    /// <summary>The recurrence as the 0/1 mask tensor (carrying the straight-through gradient) of mask <c>input</c>'s scores.</summary>
    private Tensor Scores(Tensor prompt, Func<int, Tensor, Tensor>? recurrence)
    {
        var backend = prompt.Backend;
        var h = Encoder.Forward(prompt);
        var c = Tensor.Zeros(backend, new Shape(1, Hidden));
        var scores = new Tensor[owners.Length];
        for (int i = 0; i < owners.Length; i++)
        {
            var x = F.Reshape(Statistic(i, recurrence, scores), new Shape(1, InputWidth));
            if (Projection is not null) x = Projection.Forward(x);
            (h, c) = Lstm.Step(x, h, c);
            scores[i] = F.Reshape(heads[i].Forward(h), new Shape(Graph.Masks[i].Channels));
        }
        return F.Concat(scores, 0);
    }

    /// <summary>u_i: per output channel, mean over C_in·K·K of M(in) ⊗ W, zero-padded to <see cref="InputWidth"/>.</summary>
    private Tensor Statistic(int i, Func<int, Tensor, Tensor>? recurrence, Tensor[] scores)
    {
        var conv = owners[i];
        var w = conv.Weight.Value;
        int cout = conv.OutChannels, cin = conv.InChannels, area = conv.Kernel * conv.Kernel;
        float scale = 1f / (cin * area);
        Tensor sums;
        using (Autograd.NoGrad()) sums = F.Sum(F.Reshape(w, new Shape(cout, cin, area)), 2);
        Tensor u;
        if (recurrence is not null && Graph.Layer(Graph.Masks[i].Owner).InputMask is int input)
        {
            var m = recurrence(input, scores[input]);
            u = F.Scale(F.Reshape(F.MatMul(sums, F.Reshape(m, new Shape(cin, 1))), new Shape(cout)), scale);
        }
        else
        {
            using (Autograd.NoGrad()) u = F.Scale(F.Sum(sums, 1), scale);
        }
        return cout == InputWidth ? u : F.Concat([u, Tensor.Zeros(w.Backend, new Shape(InputWidth - cout))], 0);
    }

    private static Conv2d OwnerConv(ChannelGraph graph, Dictionary<string, Module> modules, ChannelMask mask)
    {
        if (!modules.TryGetValue(mask.Owner, out var m) || m is not Conv2d conv)
            throw new ArgumentException($"hypernetwork: the backbone has no conv '{mask.Owner}' (mask {mask.Id} of the {graph.Model} graph); was the graph built for another model?");
        if (conv.OutChannels != mask.Channels)
            throw new ArgumentException($"hypernetwork: '{mask.Owner}' has {conv.OutChannels} output channels, its mask {mask.Channels}");
        if (graph.Layer(mask.Owner).InputMask is int input && graph.Masks[input].Channels != conv.InChannels)
            throw new ArgumentException($"hypernetwork: '{mask.Owner}' reads {conv.InChannels} channels through the {graph.Masks[input].Channels}-channel mask {input}");
        return conv;
    }
}
