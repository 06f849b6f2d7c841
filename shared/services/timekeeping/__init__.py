"""Time-keeping workflows on top of attendance and leave: missed-punch corrections, overtime and time off in
lieu, the lateness policy."""
