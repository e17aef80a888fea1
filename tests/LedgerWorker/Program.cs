using System;
using MailQuota.Core.Storage.Engines;
using MailQuota.Core.Time;
using MailQuota.Core.Quota;

// Usage: LedgerWorker <ledger file or PostgreSQL connection> <account> <attempts> <perHourLimit> [hold]
// Prints "ready", waits for a line on stdin (so several workers start together), then tries
// <attempts> reservations without waiting and prints how many were granted; with "hold", it then
// waits for another line before it ends (its rows' owner is a running process meanwhile).
var path = args[0];
var account = args[1];
var attempts = int.Parse(args[2]);
var policy = new QuotaPolicy { MessagesPerHour = int.Parse(args[3]) };
using var ledger = LedgerEngines.Open(path);
var gate = new QuotaGate(ledger, SystemClock.Instance);
Console.WriteLine("ready");
Console.ReadLine();
var granted = 0;
for (var i = 0; i < attempts; i++)
{
    var decision = gate.TryReserve(policy, new ReservationRequest(account, $"r{i}@example.test"));
    if (decision.Granted)
    {
        granted++;
        ledger.Complete(decision.ReservationId!.Value, SendStatus.Sent, SystemClock.Instance.UtcNow, "250 ok", 1);
    }
}
Console.WriteLine($"granted {granted}");
if (args.Length > 4 && args[4] == "hold") Console.ReadLine();
