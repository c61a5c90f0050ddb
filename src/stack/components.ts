/**
 * The processes of the local stack: how each starts, which port it owns, and how to tell it is
 * healthy. Memory settings are what Flink's own scripts compute (BashJavaUtils) for the
 * process sizes in templates/stack/flink/config.yaml: change both together.
 */
import { join } from 'node:path';
import type { StackLayout } from './layout';
import type { StackJars } from './resolve';

/** The module flags Flink needs on Java 17 (Flink 1.20's env.java.opts.all default). */
export const JAVA17_FLAGS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  ...[
    'java.base/sun.net.util',
    'java.rmi/sun.rmi.registry',
    'jdk.compiler/com.sun.tools.javac.api',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.compiler/com.sun.tools.javac.parser',
    'jdk.compiler/com.sun.tools.javac.tree',
    'jdk.compiler/com.sun.tools.javac.util',
    'java.security.jgss/sun.security.krb5',
  ].map((p) => `--add-exports=${p}=ALL-UNNAMED`),
  ...[
    'java.lang',
    'java.net',
    'java.io',
    'java.nio',
    'sun.nio.ch',
    'java.lang.reflect',
    'java.text',
    'java.time',
    'java.util',
    'java.util.concurrent',
    'java.util.concurrent.atomic',
    'java.util.concurrent.locks',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`),
];

const JOBMANAGER_MEMORY = {
  jvm: ['-Xmx469762048', '-Xms469762048', '-XX:MaxMetaspaceSize=268435456'],
  dynamic: {
    'jobmanager.memory.off-heap.size': '134217728b',
    'jobmanager.memory.jvm-overhead.min': '201326592b',
    'jobmanager.memory.jvm-metaspace.size': '268435456b',
    'jobmanager.memory.heap.size': '469762048b',
    'jobmanager.memory.jvm-overhead.max': '201326592b',
  },
};

const TASKMANAGER_MEMORY = {
  jvm: ['-XX:+UseG1GC', '-Xmx1229434384', '-Xms1229434384', '-XX:MaxDirectMemorySize=300647712', '-XX:MaxMetaspaceSize=268435456'],
  dynamic: {
    'taskmanager.memory.network.min': '166429984b',
    'taskmanager.cpu.cores': '4.0',
    'taskmanager.memory.task.off-heap.size': '0b',
    'taskmanager.memory.jvm-metaspace.size': '268435456b',
    'external-resources': 'none',
    'taskmanager.memory.jvm-overhead.min': '214748368b',
    'taskmanager.memory.framework.off-heap.size': '134217728b',
    'taskmanager.memory.network.max': '166429984b',
    'taskmanager.memory.framework.heap.size': '134217728b',
    'taskmanager.memory.managed.size': '134217728b',
    'taskmanager.memory.task.heap.size': '1095216656b',
    'taskmanager.numberOfTaskSlots': '4',
    'taskmanager.memory.jvm-overhead.max': '214748368b',
  },
};

export type ComponentName = 'kafka' | 'jobmanager' | 'taskmanager' | 'sql-gateway';

/** A process of the stack: what it is, and what `down`, `status` and `logs` need to find it. */
export interface Component {
  name: ComponentName;
  /** What it is, for people. */
  title: string;
  /** Ports it listens on that must be free before it starts. */
  ports: number[];
  logFile: string;
  marker: string;
}

/** How to start a component, which needs the resolved jars. */
export interface Launch extends Component {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export function components(layout: StackLayout): Component[] {
  // The jars do not change what a component is called or where it logs.
  return launches(layout, { kafka: '', flink: '', redisSink: '' }).map(({ name, title, ports, logFile, marker }) => ({
    name,
    title,
    ports,
    logFile,
    marker,
  }));
}

export function launches(layout: StackLayout, jars: StackJars): Launch[] {
  const { ports, confDir, logsDir } = layout;
  const marker = (name: string) => `-Duvpv.stack=${layout.stateDir}/${name}`;
  const flinkConf = join(confDir, 'flink');
  const flinkCp = `${jars.flink}/*:${jars.redisSink}/*`;
  const flinkLog = (name: string) => [
    `-Dlog.file=${join(logsDir, `${name}.log`)}`,
    `-Dlog4j.configurationFile=file:${join(flinkConf, 'log4j.properties')}`,
  ];
  const dynamic = (props: Record<string, string>) => Object.entries(props).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  return [
    {
      name: 'kafka',
      title: `Kafka on 127.0.0.1:${ports.kafka}`,
      ports: [ports.kafka, ports.kafkaController],
      logFile: join(logsDir, 'kafka.log'),
      marker: marker('kafka'),
      command: layout.java,
      args: [
        marker('kafka'),
        '-Xms512m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${logsDir}`,
        `-Dlog4j.configuration=file:${join(confDir, 'kafka', 'log4j.properties')}`,
        '-cp',
        `${jars.kafka}/*`,
        'kafka.Kafka',
        join(confDir, 'kafka', 'server.properties'),
      ],
    },
    {
      name: 'jobmanager',
      title: `Flink JobManager, REST on 127.0.0.1:${ports.flinkRest}`,
      ports: [ports.flinkRest, ports.jobmanagerRpc, ports.blob],
      logFile: join(logsDir, 'flink-jobmanager.log'),
      marker: marker('jobmanager'),
      command: layout.java,
      args: [
        marker('jobmanager'),
        ...JAVA17_FLAGS,
        ...JOBMANAGER_MEMORY.jvm,
        ...flinkLog('flink-jobmanager'),
        '-cp',
        flinkCp,
        'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
        '--configDir',
        flinkConf,
        '--executionMode',
        'cluster',
        ...dynamic(JOBMANAGER_MEMORY.dynamic),
      ],
    },
    {
      name: 'taskmanager',
      title: 'Flink TaskManager (4 slots)',
      ports: [],
      logFile: join(logsDir, 'flink-taskmanager.log'),
      marker: marker('taskmanager'),
      command: layout.java,
      args: [
        marker('taskmanager'),
        ...JAVA17_FLAGS,
        ...TASKMANAGER_MEMORY.jvm,
        ...flinkLog('flink-taskmanager'),
        '-cp',
        flinkCp,
        'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
        '--configDir',
        flinkConf,
        ...dynamic(TASKMANAGER_MEMORY.dynamic),
      ],
    },
    {
      name: 'sql-gateway',
      title: `Flink SQL Gateway on 127.0.0.1:${ports.gateway}`,
      ports: [ports.gateway],
      logFile: join(logsDir, 'flink-sql-gateway.log'),
      marker: marker('sql-gateway'),
      command: layout.java,
      args: [
        marker('sql-gateway'),
        ...JAVA17_FLAGS,
        '-Xms256m',
        '-Xmx512m',
        ...flinkLog('flink-sql-gateway'),
        '-cp',
        flinkCp,
        'org.apache.flink.table.gateway.SqlGateway',
      ],
      env: { FLINK_CONF_DIR: flinkConf },
    },
  ];
}
