#ifndef FLOWPOL_COMMANDS_H
#define FLOWPOL_COMMANDS_H

/*
 * Every subcommand: argv[0] is its name; returns FP_EXIT_* (common/err.h).
 * Each lives with the part that owns it.
 */
int cmd_collect(int argc, char **argv);		/* collector/ */
int cmd_flows(int argc, char **argv);		/* collector/ */
int cmd_inventory(int argc, char **argv);	/* learner/ */
int cmd_learn(int argc, char **argv);		/* learner/ */
int cmd_workloads(int argc, char **argv);	/* learner/ */
int cmd_edges(int argc, char **argv);		/* learner/ */
int cmd_status(int argc, char **argv);		/* learner/ */
int cmd_selector(int argc, char **argv);	/* policy/ */
int cmd_explain(int argc, char **argv);		/* review/ */
int cmd_diff(int argc, char **argv);		/* review/ */
int cmd_emit(int argc, char **argv);		/* emitter/ */
int cmd_report(int argc, char **argv);		/* review/ */
int cmd_graph(int argc, char **argv);		/* review/ */
int cmd_merge(int argc, char **argv);		/* store/ */
int cmd_export(int argc, char **argv);		/* store/ */

#endif
