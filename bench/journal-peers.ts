import path from 'node:path';
import Datastore from '@seald-io/nedb';
import Database from 'better-sqlite3';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Unsequenced } from '../src/core/domain/events.ts';
import { FileJournal } from '../src/core/journal/file-journal.ts';

export interface Target {
  append(event: Unsequenced): Promise<unknown> | unknown;
  close(): Promise<void> | void;
}

export const openOurs = async (dir: string): Promise<Target> => {
  const { journal } = await FileJournal.open({ dir: path.join(dir, 'journal') });
  return { append: (e) => journal.append([e]), close: () => journal.close() };
};

// WAL + synchronous=FULL: every commit is fsynced. Synchronous API, so appends are sequential.
export const openSqlite = (dir: string): Target => {
  const db = new Database(path.join(dir, 'events.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ts TEXT NOT NULL, type TEXT NOT NULL, tenant TEXT NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO events (id, ts, type, tenant, body) VALUES (?, ?, ?, ?, ?)');
  const appendOne = db.transaction((e: Unsequenced) => insert.run(e.id, e.ts, e.type, e.tenant, JSON.stringify(e)));
  return { append: (e) => appendOne(e), close: () => void db.close() };
};

// Rewrites the whole JSON file per write (temp + rename, no fsync); concurrent writes are
// coalesced by its writer queue.
export const openLowdb = async (dir: string): Promise<Target> => {
  const db = new Low<{ events: Unsequenced[] }>(new JSONFile(path.join(dir, 'db.json')), { events: [] });
  await db.read();
  return {
    append: async (e) => {
      db.data.events.push(e);
      await db.write();
    },
    close: () => {},
  };
};

// Appends one line per insert to its data file (no fsync: it leaves flushing to the OS).
export const openNedb = async (dir: string): Promise<Target> => {
  const db = new Datastore<Unsequenced>({ filename: path.join(dir, 'events.db') });
  await db.loadDatabaseAsync();
  return { append: (e) => db.insertAsync({ ...e }), close: () => {} };
};
