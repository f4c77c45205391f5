// The column heads shared by the control panel's table and the replay's.
export const ScheduleTableHead = ({ actions }: { actions: boolean }) => (
  <thead>
    <tr>
      <th scope="col">Tenant</th>
      <th scope="col">Status</th>
      <th scope="col">Schedule · runner</th>
      <th scope="col" class="num">
        Next run
      </th>
      <th scope="col">Last run</th>
      {actions && <th scope="col">Actions</th>}
    </tr>
  </thead>
);
