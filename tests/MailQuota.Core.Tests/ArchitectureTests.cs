using System;
using System.Collections.Generic;
using System.Linq;
using MailQuota.Core.Quota;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MailQuota.Core.Tests
{
    /// <summary>
    /// The dependency rule of the core, read from its compiled IL (signatures and method bodies):
    /// leaves (time and waiting, SMTP, message composition) &lt;- policies (each owning the store
    /// interfaces it needs) &lt;- sending (the run) &lt;- storage engines. A folder (namespace) uses
    /// only folders of a lower layer or, within its layer, without a cycle; the core knows no PowerShell.
    /// </summary>
    public class ArchitectureTests
    {
        const string Core = "MailQuota.Core";

        /// <summary>The layer of every folder of the core. A new folder must be placed here.</summary>
        public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>
        {
            [Core + ".Time"] = 0,
            [Core + ".Smtp"] = 0,
            [Core + ".Mail"] = 0,
            [Core + ".Files"] = 0,
            [Core + ".Quota"] = 1,
            [Core + ".Content"] = 1,
            [Core + ".Campaigns"] = 1,
            [Core + ".Monitoring"] = 1,
            [Core + ".Import"] = 1,
            [Core + ".Profiles"] = 1,
            [Core + ".Auth"] = 1,
            [Core + ".Sending"] = 2,
            [Core + ".Storage"] = 3,
            [Core + ".Storage.Sqlite"] = 3,
            [Core + ".Storage.Postgres"] = 3,
            [Core + ".Storage.Engines"] = 3,
        };

        static readonly Lazy<IReadOnlyList<Dependency>> Graph = new Lazy<IReadOnlyList<Dependency>>(() => CoreDependencies.Read(typeof(QuotaPolicy).Assembly.Location));

        [Fact]
        public void Every_folder_of_the_core_has_a_layer()
        {
            using var module = ModuleDefinition.ReadModule(typeof(QuotaPolicy).Assembly.Location);
            var unplaced = module.Types.Where(t => t.Namespace.StartsWith(Core, StringComparison.Ordinal) && !Layers.ContainsKey(t.Namespace))
                .Select(t => t.FullName).ToList();
            Assert.True(unplaced.Count == 0, "types outside a placed folder: " + string.Join(", ", unplaced));
        }

        [Fact]
        public void No_folder_uses_a_higher_layer()
        {
            var upward = Graph.Value.Where(d => Layers.TryGetValue(d.FromNamespace, out var from) && Layers.TryGetValue(d.ToNamespace, out var to) && to > from)
                .Select(d => d.ToString()).Distinct().ToList();
            Assert.True(upward.Count == 0, "dependencies on a higher layer:\n" + string.Join("\n", upward));
        }

        [Fact]
        public void No_cycle_between_folders()
        {
            var edges = Graph.Value.GroupBy(d => d.FromNamespace).ToDictionary(g => g.Key, g => g.Select(d => d.ToNamespace).Distinct().ToList());
            var cycle = CoreDependencies.FindCycle(edges);
            Assert.True(cycle == null, cycle == null ? "" :
                "folders in a cycle: " + string.Join(" -> ", cycle) + "\n" + string.Join("\n", Graph.Value
                    .Where(d => cycle.Zip(cycle.Skip(1), (a, b) => (a, b)).Contains((d.FromNamespace, d.ToNamespace))).Select(d => d.ToString()).Distinct()));
        }

        [Fact]
        public void The_core_references_no_PowerShell()
        {
            using var module = ModuleDefinition.ReadModule(typeof(QuotaPolicy).Assembly.Location);
            Assert.DoesNotContain(module.AssemblyReferences, r => r.Name.StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase));
        }

        [Fact]
        public void The_reader_sees_uses_inside_method_bodies()
        {
            // Guards the reader itself, on the probe types below: a use only inside a method body counts.
            var probes = CoreDependencies.Read(typeof(ArchitectureTests).Assembly.Location);
            Assert.Contains(probes, d => d.From == typeof(Probes.Caller.UsesInBody).FullName && d.To == typeof(Probes.Callee.Used).FullName);
            Assert.DoesNotContain(probes, d => d.From == typeof(Probes.Callee.Used).FullName);
        }
    }

    public sealed class Dependency
    {
        public Dependency(string from, string fromNamespace, string to, string toNamespace)
        {
            From = from; FromNamespace = fromNamespace; To = to; ToNamespace = toNamespace;
        }
        public string From { get; }
        public string FromNamespace { get; }
        public string To { get; }
        public string ToNamespace { get; }
        public override string ToString() => $"{From} -> {To}";
    }

    /// <summary>Which core type uses which, between folders, from the assembly's metadata and IL.</summary>
    public static class CoreDependencies
    {
        public static IReadOnlyList<Dependency> Read(string assemblyPath)
        {
            using var module = ModuleDefinition.ReadModule(assemblyPath);
            var result = new List<Dependency>();
            foreach (var type in module.GetTypes())
            {
                var owner = Outermost(type);
                if (!owner.Namespace.StartsWith("MailQuota.Core", StringComparison.Ordinal)) continue;
                var seen = new HashSet<string>();
                foreach (var used in Uses(type))
                {
                    var target = Outermost(used);
                    if (target.Namespace == owner.Namespace || !target.Namespace.StartsWith("MailQuota.Core", StringComparison.Ordinal)) continue;
                    if (seen.Add(target.FullName)) result.Add(new Dependency(owner.FullName, owner.Namespace, target.FullName, target.Namespace));
                }
            }
            return result;
        }

        static TypeReference Outermost(TypeReference type)
        {
            while (type.DeclaringType != null) type = type.DeclaringType;
            return type;
        }

        static IEnumerable<TypeReference> Uses(TypeDefinition type)
        {
            var found = new List<TypeReference>();
            void Add(TypeReference? t)
            {
                if (t == null) return;
                switch (t)
                {
                    case GenericInstanceType g:
                        Add(g.ElementType);
                        foreach (var a in g.GenericArguments) Add(a);
                        return;
                    case TypeSpecification s:
                        Add(s.ElementType);
                        return;
                    case GenericParameter _:
                        return;
                }
                found.Add(t);
            }
            void AddMethod(MethodReference m)
            {
                Add(m.DeclaringType);
                Add(m.ReturnType);
                foreach (var p in m.Parameters) Add(p.ParameterType);
                if (m is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Add(a);
            }
            void AddAttributes(ICustomAttributeProvider p)
            {
                foreach (var a in p.CustomAttributes) Add(a.AttributeType);
            }

            Add(type.BaseType);
            foreach (var i in type.Interfaces) Add(i.InterfaceType);
            AddAttributes(type);
            foreach (var f in type.Fields) { Add(f.FieldType); AddAttributes(f); }
            foreach (var p in type.Properties) { Add(p.PropertyType); AddAttributes(p); }
            foreach (var e in type.Events) Add(e.EventType);
            foreach (var m in type.Methods)
            {
                AddMethod(m);
                AddAttributes(m);
                if (!m.HasBody) continue;
                foreach (var v in m.Body.Variables) Add(v.VariableType);
                foreach (var ins in m.Body.Instructions)
                {
                    switch (ins.Operand)
                    {
                        case TypeReference t: Add(t); break;
                        case MethodReference mr: AddMethod(mr); break;
                        case FieldReference fr: Add(fr.DeclaringType); Add(fr.FieldType); break;
                    }
                }
            }
            return found;
        }

        /// <summary>A path a -> ... -> a in the graph, or null when it has none.</summary>
        public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, List<string>> edges)
        {
            var state = new Dictionary<string, int>(); // 1 on the path, 2 done
            var path = new List<string>();
            List<string>? Visit(string node)
            {
                state[node] = 1;
                path.Add(node);
                foreach (var next in edges.TryGetValue(node, out var n) ? n : new List<string>())
                {
                    if (state.TryGetValue(next, out var s) && s == 1)
                        return path.Skip(path.IndexOf(next)).Concat(new[] { next }).ToList();
                    if (!state.ContainsKey(next) && Visit(next) is List<string> found) return found;
                }
                path.RemoveAt(path.Count - 1);
                state[node] = 2;
                return null;
            }
            foreach (var node in edges.Keys.OrderBy(k => k, StringComparer.Ordinal))
                if (!state.ContainsKey(node) && Visit(node) is List<string> cycle) return cycle;
            return null;
        }
    }
}

namespace MailQuota.Core.Tests.Probes.Callee
{
    public static class Used { public static int Answer() => 42; }
}

namespace MailQuota.Core.Tests.Probes.Caller
{
    public static class UsesInBody { public static int Ask() => Callee.Used.Answer(); }
}
